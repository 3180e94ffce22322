// Package credentials is the credentials relation interface, both sides: a
// provider application gives each related client application a username
// and a password (and optionally a host and a port), and the client's
// units get them. It is an interface package in the sense of
// charms.reactive's interface layers, built on the endpoint layer
// (package endpoint); docs/interfaces.md uses it as the worked example of
// writing one.
//
// # The protocol
//
// The provider's leader writes into its application's bag on each
// relation; the client reads the provider application's bag, and its
// units write nothing. Only the leader may write its application's bag, so
// only the provider's leader publishes; every client unit reads. The
// username and the password travel in one of two modes.
//
// Secret mode, the default from Juju 3.0.2 on: the leader keeps them in an
// application-owned Juju secret per relation (content keys username and
// password; owner label [SecretLabel], credentials-<endpoint>-<relation
// number>), grants it to the relation (secret-grant <id> -r <relation>),
// and writes into the bag only the secret's URI, under secret-user
// ([SecretUserKey]), with host and port when it has them. Every unit of
// the client application may read the secret; no other application may.
// A client written with another framework reads the bag and, when it has
// secret-user, runs secret-get <uri> --refresh (ops:
// model.get_secret(id=uri).get_content(refresh=True)); nothing needs to
// be requested, the grant is there.
//
// Plain mode: the bag holds username and password themselves, and host
// and port (plain strings; port in decimal). The provider uses it when
// registered with [ProvidesOptions] Plain, for clients that cannot read a
// Juju secret, and on a Juju without secrets (before 3.0.2), with a
// WARNING naming the relations. Anything that can read the relation data
// can then read the password.
//
// The requires side reads both modes. When the password changes in secret
// mode, the leader sets the secret's content, a new revision; the bag does
// not change. Juju runs secret-changed on the client units that read the
// secret: the requires side reads it again there and sets <name>.changed.
// Juju then runs secret-remove on the provider's leader for the revision
// no unit tracks any more, and the provides side removes it. When the
// relation is removed the grant ends with it, and the provider's leader
// removes the secret in its -relation-broken hook (a client application
// scaled to zero units keeps it: the relation is still there).
//
// # Provides side
//
//	endpoint.Register(r, &endpoint.Options{Metadata: md})
//	leadership.Register(r, nil)
//	credentials.RegisterProvides(r, md) // every provides endpoint of interface credentials
//
//	r.Handle("share", reactive.When(leadership.IsLeaderFlag, "clients.requested"),
//		func(ctx context.Context, h *reactive.Hook) error {
//			return credentials.Publish(ctx, h, "clients", credentials.Credentials{Username: "admin", Password: pw})
//		})
//
// <name>.requested ([RequestedFlag]) is set while a client unit is joined
// on one of the endpoint's relations. [Publish] gives the credentials to
// every relation (the relation's secret and the URI in its application
// bag, or the plain keys), [PublishTo] to one. Both are
// for the leader: another unit gets [ErrNotLeader] before any relation
// tool runs. The leader remembers what it sent where (a digest per
// relation, in the unit's store under credentials.published.<name>), so
// calling Publish in every hook costs nothing until a relation appears,
// the credentials change or leadership comes back to the unit.
//
// # Requires side
//
//	endpoint.Register(r, &endpoint.Options{Metadata: md})
//	credentials.RegisterRequires(r, md) // every requires endpoint of interface credentials
//
//	r.Handle("use", reactive.When("server.available", "server.changed"),
//		func(ctx context.Context, h *reactive.Hook) error {
//			c, _, err := credentials.Get(ctx, h, "server")
//			if err != nil {
//				return err
//			}
//			// ... write c.Password where the workload reads it ...
//			return h.ClearFlag("server.changed")
//		})
//
// <name>.available ([AvailableFlag]) is set while a provider unit is joined
// on one of the endpoint's relations and the provider application has
// published a username and a password the unit can read; it is cleared
// in the hook where that stops being true (the provider deletes them, its
// last unit departs, the relation is removed). <name>.changed ([ChangedFlag]) is set with
// the first credentials and whenever they change (in secret mode, in the
// secret-changed hook of a new revision); the charm clears it.
// [Get] returns the credentials.
//
// # Why one package for both sides
//
// charms.reactive interface layers ship provides.py and requires.py. In Go
// a package per side would be called provides and requires in every
// interface, so a charm using two interfaces would rename imports, and the
// wire format, which both sides must agree on, would live in a third
// package. Here the wire format, [Credentials] and its checks are written
// once, tests exchange data between the two sides in one place, and a
// charm reads credentials.Publish or credentials.Get. Each side is its own
// layer type ([Provides], [Requires]) and registration function, so a charm
// registers only the side it uses.
//
// # Registration and hook start
//
// Both sides need the charm's metadata when they are registered (embed
// metadata.yaml and parse it with reactive.ParseMetadata, or build the
// part they need), find their endpoints in it (md.RelationsFor), and panic
// when there is none: a charm that registers a side means to use it. Their
// start callbacks run after the endpoint layer's (endpoint.Register panics
// when another layer came first), so the flags are ready when the first
// handler runs. Each side also registers, through
// endpoint.HandleInterface, a handler per endpoint, credentials.departed:<name>,
// that clears endpoint.<name>.departed and the departed units the endpoint
// layer keeps: the interface's own flags already say what a departure
// changed.
//
// # Bad input
//
//   - a name that is not an endpoint of the interface on that side:
//     [ErrUnknownEndpoint] from Publish, PublishTo and Get; a relation id
//     that is not one of the endpoint's: [ErrUnknownRelation];
//   - credentials without a username or a password, or with a bad host or
//     port: [ErrInvalidCredentials] from Publish before anything is
//     written; a provider that published a bad host or port: the same
//     error from Get and from the layer's start (the hook fails, naming
//     the relation and the provider application);
//   - relation data that is not a map of strings: endpoint.ErrBadData;
//   - a follower publishing: [ErrNotLeader], before any relation tool runs;
//   - a side used without its Register call: [ErrNotRegistered].
package credentials

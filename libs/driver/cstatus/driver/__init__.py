"""Drives a running platform from the outside, through its topics and HTTP APIs only.

One package for everything that plays the part of an upstream system, an admin or an operator:
the e2e tests, the reliability suite, the demo and the bench.

- `offsets`: end offsets, consumer groups' committed offsets, waiting until groups caught up;
  placing a new group at the end of its topics (so it skips a shared broker's history);
- `publisher`: an acks=all producer of raw records and CloudEvents;
- `reader`: a group-less reader of topics from a start position up to their end;
- `tokens`: development JWTs for a tenant and a role;
- `tenants`: provisioning a tenant through status-config.
"""

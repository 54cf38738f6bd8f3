"""What a build may skip: the cache, the inputs' stamps, page fingerprints and the two shortcuts.

`state.choose_route` decides, and says why: nothing changed (the output stands), bodies only
(`bodies.bodies_only`), or a full build that renders only the pages whose fingerprints changed.
"""

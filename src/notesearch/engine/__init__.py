"""engine: the only Whoosh importers (see each module).

Importing this package first puts stand-ins in place of the Whoosh modules a
query never uses (:mod:`.deferred`), so that every query process skips them.
"""

from .deferred import defer_unused_modules

defer_unused_modules()

"""The shared cache's backends: Django's database cache with an atomic `incr`, and Django's Redis cache
with an `incr` that cannot outlive its window.

Django's DatabaseCache inherits BaseCache.incr, which is a get followed by a set: two app servers
counting at once both read 5 and both write 6, and the set also resets the entry's expiry to the
default timeout. Rate limits count with `add` + `incr` (portal.ratelimit), so here `incr` reads
and writes the row inside one transaction holding its lock (SELECT ... FOR UPDATE on PostgreSQL;
SQLite's IMMEDIATE transactions take the write lock at BEGIN) and leaves the expiry alone.

Django's RedisCache.incr is EXISTS followed by INCRBY: if the counter expires between the two, INCRBY
creates it again with no expiry, and that address stays rate-limited for ever. Here both run in one
Lua script, which Redis runs atomically.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote_name('value')}, {quote_name('expires')} FROM {table} "  # noqa: S608 - quoted names
                f"WHERE {quote_name('cache_key')} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is not None:
                expires = row[1]
                expression = models.Expression(output_field=models.DateTimeField())
                for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(
                    connection
                ):
                    expires = converter(expires, expression, connection)
            if row is None or expires < tz_now():
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))  # noqa: S301
            new_value = value + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s WHERE {quote_name('cache_key')} = %s",  # noqa: S608
                [encoded, key],
            )
        return new_value

    def decr(self, key, delta=1, version=None):
        return self.incr(key, -delta, version=version)


# INCRBY only if the key still exists; nil otherwise (the key is never created here).
_INCR_IF_EXISTS = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end"


class RedisCache(DjangoRedisCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        value = self._cache.get_client(key, write=True).eval(_INCR_IF_EXISTS, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found")
        return value


def shared_cache_answers(cache) -> bool:
    """True if the shared cache can be reached. A Redis cache is asked for a key (one round trip); the database
    cache lives in the database, whose own check covers it."""
    if not isinstance(cache, DjangoRedisCache):
        return True
    import redis

    try:
        cache.get("healthz")
    except redis.RedisError:
        return False
    return True

"""GET /api/rooms/<room>/messages?before=&limit= as a Django async view: the same query and JSON as Switchboard."""
import re

from django.conf import settings
from django.http import JsonResponse
from psycopg_pool import AsyncConnectionPool

QUERY = ("SELECT id, room, username, message, ts FROM chat_messages "
         "WHERE room = %s AND id < %s ORDER BY id DESC LIMIT %s")
ROOM = re.compile(r"[A-Za-z0-9_.-]{1,94}")
MAX_ID = 2**63 - 1
_pool = None


async def pool():
    global _pool
    if _pool is None:
        _pool = AsyncConnectionPool(settings.ROOMS_PG_DSN, min_size=settings.ROOMS_POOL_SIZE,
                                    max_size=settings.ROOMS_POOL_SIZE, open=False)
        await _pool.open(wait=True)
    return _pool


def bad(message):
    return JsonResponse({"error": message, "status": 400}, status=400)


async def messages(request, room):
    if not ROOM.fullmatch(room):
        return bad("room: expected 1 to 94 of A-Z a-z 0-9 _ . -")
    try:
        limit = int(request.GET.get("limit", "50"))
        before = int(request.GET["before"]) if request.GET.get("before") else MAX_ID
    except ValueError:
        return bad("limit and before: expected integers")
    if not 1 <= limit <= 200 or before < 1:
        return bad("limit: expected 1 to 200; before: a message id")
    async with (await pool()).connection() as conn:
        cur = await conn.execute(QUERY, (room, before, limit + 1), prepare=True)
        rows = await cur.fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    out = [{"id": r[0], "room": r[1], "user": r[2], "message": r[3], "ts": int(r[4].timestamp() * 1000)} for r in rows]
    return JsonResponse({"room": room, "messages": out, "next": out[0]["id"] if more else None})

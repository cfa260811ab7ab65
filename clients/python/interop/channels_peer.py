#!/usr/bin/python3
"""A Django Channels peer of Switchboard's channels_redis bridge, using only channels_redis (Debian's 4.0.0).

  channels_peer.py --redis URL --prefix P [--key K] [--group-expiry S] receive GROUP COUNT
      joins GROUP with a new channel, prints "joined <channel>", then prints "received <json>" for each of the
      first COUNT messages, then leaves the group and exits 0.
  channels_peer.py --redis URL --prefix P [--key K] send GROUP JSON
      group_send(GROUP, JSON) as a Django view does with async_to_sync, prints "sent", exits 0.
"""
import argparse
import asyncio
import json
import sys

from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer


def layer(args):
    keys = [args.key] if args.key else None
    return RedisChannelLayer(hosts=[args.redis], prefix=args.prefix, symmetric_encryption_keys=keys,
                             group_expiry=args.group_expiry)


async def receive(args):
    channel_layer = layer(args)
    channel = await channel_layer.new_channel()
    await channel_layer.group_add(args.group, channel)
    print("joined", channel, flush=True)
    try:
        for _ in range(int(args.payload)):
            message = await asyncio.wait_for(channel_layer.receive(channel), timeout=60)
            print("received", json.dumps(message, sort_keys=True), flush=True)
    finally:
        await channel_layer.group_discard(args.group, channel)
        await channel_layer.close_pools()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", required=True)
    parser.add_argument("--prefix", default="asgi")
    parser.add_argument("--key")
    parser.add_argument("--group-expiry", type=int, default=86400)  # channels_redis' default
    parser.add_argument("mode", choices=["receive", "send"])
    parser.add_argument("group")
    parser.add_argument("payload")
    args = parser.parse_args()
    if args.mode == "receive":
        asyncio.run(receive(args))
    else:
        # exactly what a Django view does
        async_to_sync(layer(args).group_send)(args.group, json.loads(args.payload))
        print("sent", flush=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that holds every chunk a client sends for MS milliseconds: an
S3-compatible server on this machine (moto_server) made to answer like a distant region.

    moto_server -H 127.0.0.1 -p 5123 &
    python3 scripts/delay_proxy.py 5124 5123 25 &
    AWS_ENDPOINT_URL=http://127.0.0.1:5124 pivotflow pivots --data s3://flows/s ...

With LOG set, the first line of each HTTP request is printed (a request count per run).
"""
import asyncio
import os
import sys

LISTEN, TARGET, DELAY = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000
LOG = bool(os.environ.get("LOG"))


async def pipe(r, w, delay):
    try:
        while data := await r.read(65536):
            if delay:
                if LOG and data[:4] in (b"GET ", b"HEAD", b"PUT ", b"POST"):
                    print(data.split(b"\r\n")[0].decode(errors="replace"), flush=True)
                await asyncio.sleep(delay)
            w.write(data)
            await w.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        w.close()


async def handle(cr, cw):
    sr, sw = await asyncio.open_connection("127.0.0.1", TARGET)
    await asyncio.gather(pipe(cr, sw, DELAY), pipe(sr, cw, 0))


async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", LISTEN)
    async with srv:
        await srv.serve_forever()


asyncio.run(main())

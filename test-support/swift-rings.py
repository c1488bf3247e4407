"""Builds the account, container and object rings of a one-device Swift on loopback.

Usage: python3 swift-rings.py SWIFT_DIR DEVICE account=PORT container=PORT object=PORT

One process for all three rings: swift-ring-builder would take nine, and each test file starts
its own Swift (test-support/s3-server.ts).
"""
import sys

from swift.common.ring import RingBuilder

swift_dir, device = sys.argv[1], sys.argv[2]
for arg in sys.argv[3:]:
    kind, port = arg.split('=')
    # 2^6 partitions, one replica, no minimum hours between moves: one disk needs no more.
    builder = RingBuilder(6, 1, 0)
    builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': int(port),
                     'device': device, 'weight': 1.0, 'meta': ''})
    builder.rebalance()
    builder.save('%s/%s.builder' % (swift_dir, kind))
    builder.get_ring().save('%s/%s.ring.gz' % (swift_dir, kind))

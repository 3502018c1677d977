#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Writes the seed corpora (corpus/TARGET/) and is kept so that they can be made again when a
# format changes: valid inputs of each parser and near-valid ones, small. Snapshots come from
# twinlane-graph and the PBF seed from the XML one through libosmium (the twinlane-graph and
# osm-to-pbf programs of a normal build: make-seeds.sh BUILD_DIR).
#   tests/fuzz/make-seeds.sh build-test
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build-fuzz}
cmake --build "$build" --target twinlane-graph osm-to-pbf >/dev/null
build=$(cd "$build" && pwd)
corpus=$here/corpus
rm -rf "$corpus"
mkdir -p "$corpus"/{fuzz_query,fuzz_path,fuzz_matrix_body,fuzz_config,fuzz_dimacs_gr,fuzz_dimacs_co,fuzz_snapshot,fuzz_osm,fuzz_fastcgi}

python3 - "$corpus" "$here/../../packaging/twinlane.yaml" <<'PY'
import gzip, os, struct, sys
corpus, shipped = sys.argv[1], sys.argv[2]

def put(target, name, data):
    if isinstance(data, str): data = data.encode()
    open(os.path.join(corpus, target, name), 'wb').write(data)

# fuzz_query: the first byte picks the route (route, nearest, segments, nodes/1, graph, health).
for i, (route, query) in enumerate([
        (0, 'from=1&to=300'), (0, 'from=8.5,49.45&to=17&geometry=polyline'),
        (0, 'from=8.49,49.44&to=8.51,49.46&geometry=geojson'), (0, 'from=%31&to=2&geometry=none'),
        (0, 'from=1&from=2&to=3'), (0, 'from=1&to=999999'), (0, 'from=+1&to=2'), (0, 'to=2'),
        (1, 'lon=8.5&lat=49.45'), (1, 'lon=-8.5&lat=91'), (2, 'bbox=8.49,49.44,8.51,49.46'),
        (2, 'bbox=-180,-90,180,90'), (2, 'bbox=8,49,,50'), (3, ''), (3, 'x=1'), (4, ''), (5, '')]):
    put('fuzz_query', f'seed-{i:02d}', bytes([route]) + query.encode())

for i, path in enumerate(['/api/v1/nodes/1', '/api/v1/nodes/300', '/api/v1/nodes/0', '/api/v1/nodes/',
                          '/api/v1/nodes/1/2', '/api/v1/nodes/18446744073709551617', '/api/v1/route',
                          '/api/v1/health', '/api/v1/graph', '/api/v1/nearest', '/api/v1/segments', '/api/v1/matrix',
                          '/api/v1/nodes/%31', '/']):
    put('fuzz_path', f'seed-{i:02d}', path)

for i, body in enumerate([
        '{"sources":[1,2],"targets":[3,300]}', '{"sources":[[8.5,49.45]],"targets":[1,[8.49,49.44]]}',
        '{"sources":[1],"targets":[2],"metric":"duration"}', '{"sources":[1],"targets":[2],"metric":"distance"}',
        '{"sources":[1],"targets":[2],"extra":true}', '{"sources":[],"targets":[]}', '{"sources":[0],"targets":[1e308]}',
        '{"sources":[[181,0]],"targets":[[1,2,3]]}', '{"sources":"1","targets":null}', '[1,2]', '{"sources":[1',
        '{"sources":[' + ','.join(str(n) for n in range(1, 30)) + '],"targets":[1]}']):
    put('fuzz_matrix_body', f'seed-{i:02d}', body)

put('fuzz_config', 'shipped.yaml', open(shipped).read())
for i, text in enumerate([
        'lanes:\n  fast: { listen: 127.0.0.1:9001, processes: 1, threads: 2 }\n'
        '  slow: { listen: 127.0.0.1:9002, processes: 2, queue: { capacity: 8, timeout: 2s } }\n',
        'lanes:\n  fast: { listen: "[::1]:9001", allow: ["::1", 10.0.0.0/8] }\n  slow: { listen: /tmp/s.sock }\n'
        'upstreams: { fast: [10.0.0.1:9001, 10.0.0.2:9001], slow: [10.0.0.1:9002], max_fails: 2, fail_timeout: 5s }\n',
        'lanes:\n  fast: { listen: /tmp/f.sock, routes: [health, status] }\n  slow: { listen: /tmp/s.sock, routes: [route] }\n'
        'data: { graph: /nonexistent.gr, hierarchy: off }\nlimits: { max_body: 2MiB, matrix_max_cells: 9 }\n',
        'lanes:\n  fast: { listen: /tmp/f.sock, cpu: { weight: 1000, max: 1.5 }, scheduler: batch }\n'
        '  slow: { listen: /tmp/s.sock, nice: 19, max_requests: 100, max_requests_jitter: 10 }\n'
        'log: { level: debug, slow_request: 250ms }\nheaders: { host: false }\nuser: nobody\n',
        'lanes: [1, 2]\n', 'lanes:\n  fast: &a { listen: x }\n  slow: *a\n', '{', 'lanes:\n  fast:\n    listen: !!binary AAAA\n']):
    put('fuzz_config', f'seed-{i:02d}.yaml', text)

graph = 'c a small graph\np sp 5 7\na 1 2 5\na 2 3 7\na 1 3 20\na 3 1 1\na 4 5 2\na 5 4 2\na 3 4 9\n'
put('fuzz_dimacs_gr', 'small.gr', graph)
put('fuzz_dimacs_gr', 'small-crlf.gr', graph.replace('\n', '\r\n'))
put('fuzz_dimacs_gr', 'small.gr.gz', gzip.compress(graph.encode(), mtime=0))
put('fuzz_dimacs_gr', 'loops-and-zeros.gr', 'p sp 3 4\na 1 1 0\na 1 2 0\na 2 3 4294967295\na 3 1 1\n')
put('fuzz_dimacs_gr', 'truncated.gr', 'p sp 3 4\na 1 2 1\na 2')
coordinates = 'c near Mannheim\np aux sp co 4\nv 1 8460000 49480000\nv 2 8470000 49480000\nv 3 8480000 49490000\nv 4 8000000 49000000\n'
put('fuzz_dimacs_co', 'small.co', coordinates)
put('fuzz_dimacs_co', 'small.co.gz', gzip.compress(coordinates.encode(), mtime=0))
put('fuzz_dimacs_co', 'edges.co', 'p aux sp co 4\nv 1 -180000000 -90000000\nv 2 180000000 90000000\nv 3 0 0\nv 4 0 0\n')
put('fuzz_dimacs_co', 'missing.co', 'p aux sp co 4\nv 1 1 1\nv 3 2 2\n')

# fuzz_fastcgi: requests as nginx sends them (fastcgi_client.cpp's encoding).
def record(kind, content, request_id=1):
    padding = (8 - len(content) % 8) % 8
    return struct.pack('>BBHHBB', 1, kind, request_id, len(content), padding, 0) + content + b'\0' * padding
def length(n):
    return bytes([n]) if n < 128 else struct.pack('>I', n | 0x80000000)
def pair(name, value):
    return length(len(name)) + length(len(value)) + name.encode() + value.encode()
def request(method, uri, body=b'', keep=False):
    path, _, query = uri.partition('?')
    params = [('REQUEST_METHOD', method), ('REQUEST_URI', uri), ('DOCUMENT_URI', path), ('QUERY_STRING', query),
              ('CONTENT_TYPE', 'application/json' if body else ''), ('CONTENT_LENGTH', str(len(body)) if body else ''),
              ('SERVER_PROTOCOL', 'HTTP/1.1'), ('HTTP_HOST', 'localhost')]
    block = b''.join(pair(n, v) for n, v in params)
    out = record(1, struct.pack('>HB5x', 1, 1 if keep else 0)) + record(4, block) + record(4, b'')
    if body: out += record(5, body)
    return out + record(5, b'')
put('fuzz_fastcgi', 'get', request('GET', '/api/v1/route?from=1&to=300'))
put('fuzz_fastcgi', 'post', request('POST', '/api/v1/matrix', b'{"sources":[1],"targets":[2,3]}'))
put('fuzz_fastcgi', 'kept-two', request('GET', '/api/v1/nodes/5', keep=True) + request('GET', '/api/v1/health', keep=True))
put('fuzz_fastcgi', 'truncated', request('GET', '/api/v1/graph')[:30])
put('fuzz_fastcgi', 'get-values', record(9, pair('FCGI_MAX_CONNS', ''), request_id=0))
put('fuzz_fastcgi', 'abort', record(1, struct.pack('>HB5x', 1, 0)) + record(2, b''))
PY

# Snapshots: a generated graph with coordinates and hierarchy, and a DIMACS one without.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/app/twinlane-graph" generate --nodes 40 --format snapshot "$work/gen" >/dev/null
cp "$work/gen.twg" "$corpus/fuzz_snapshot/generated.twg"
cp "$corpus/fuzz_dimacs_gr/small.gr" "$work/small.gr"
cp "$corpus/fuzz_dimacs_co/small.co" "$work/small.co"
printf 'p sp 4 5\na 1 2 5\na 2 3 7\na 1 3 20\na 3 1 1\na 4 1 3\n' >"$work/four.gr"
"$build/app/twinlane-graph" convert "$work/four.gr" "$work/small.co" "$corpus/fuzz_snapshot/dimacs-co.twg" >/dev/null
"$build/app/twinlane-graph" convert "$work/small.gr" "$corpus/fuzz_snapshot/dimacs.twg" >/dev/null

# OSM: the square of tests/integration/osm_fixture.h as XML and PBF; the first byte picks the
# format (bit 0: PBF) and the profile (bit 1: distance).
sed -n '/R"(/,/)"/p' "$here/../integration/osm_fixture.h" | sed '1s/.*R"(//; $d' >"$work/square.osm"
printf '\x00' | cat - "$work/square.osm" >"$corpus/fuzz_osm/square-car.osm"
printf '\x02' | cat - "$work/square.osm" >"$corpus/fuzz_osm/square-distance.osm"
"$build/tests/fuzz/osm-to-pbf" "$work/square.osm" "$work/square.osm.pbf"
printf '\x01' | cat - "$work/square.osm.pbf" >"$corpus/fuzz_osm/square-car.pbf"
printf '\x01' | cat - <(head -c 60 "$work/square.osm.pbf") >"$corpus/fuzz_osm/truncated.pbf"
echo "make-seeds.sh: $(find "$corpus" -type f | wc -l) seeds in $corpus"

// SPDX-License-Identifier: Apache-2.0
// osm-to-pbf IN.osm OUT.osm.pbf: rewrites an OSM XML file as PBF with libosmium, for the PBF
// seeds of fuzz_osm (make-seeds.sh). Not a fuzz target.
#include <osmium/io/any_input.hpp>
#include <osmium/io/any_output.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: osm-to-pbf IN.osm OUT.osm.pbf\n");
    return 2;
  }
  try {
    osmium::io::Reader reader(argv[1]);
    osmium::io::Writer writer(argv[2], osmium::io::overwrite::allow);
    while (osmium::memory::Buffer buffer = reader.read()) writer(std::move(buffer));
    writer.close();
    reader.close();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "osm-to-pbf: %s\n", error.what());
    return 1;
  }
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
// Distances on the spherical Earth, shared by the generator (arc weights must not be shorter than
// the great-circle length), the graph's lower-bound scale, the searches' straight-line
// heuristic, the nearest-node index and tests. It owns no state.
#pragma once

#include <cmath>

namespace twinlane::app {

// The mean Earth radius (IUGG), in metres.
inline constexpr double kEarthRadiusMeters = 6'371'008.8;
inline constexpr double kRadiansPerDegree = 3.14159265358979323846 / 180.0;

// Haversine distance in metres between two points given in degrees. Accurate for short
// distances too, which is where road graphs live.
inline double haversineMeters(double lon1, double lat1, double lon2, double lat2) {
  const double phi1 = lat1 * kRadiansPerDegree;
  const double phi2 = lat2 * kRadiansPerDegree;
  const double sin_dphi = std::sin((phi2 - phi1) / 2);
  const double sin_dlambda = std::sin((lon2 - lon1) * kRadiansPerDegree / 2);
  double a = sin_dphi * sin_dphi + std::cos(phi1) * std::cos(phi2) * sin_dlambda * sin_dlambda;
  if (a > 1) a = 1;  // rounding can push antipodal points just past 1
  return 2 * kEarthRadiusMeters * std::asin(std::sqrt(a));
}

// A point on the unit sphere. The straight (chord) distance between two of them, times the
// Earth's radius, never exceeds the great-circle distance and obeys the triangle inequality,
// which makes it a consistent A* heuristic that needs one sqrt instead of four trig calls.
struct UnitVector {
  double x;
  double y;
  double z;
};

inline UnitVector unitVector(double lon, double lat) {
  const double phi = lat * kRadiansPerDegree;
  const double lambda = lon * kRadiansPerDegree;
  return {std::cos(phi) * std::cos(lambda), std::cos(phi) * std::sin(lambda), std::sin(phi)};
}

// Straight-line distance through the Earth, in units of the Earth's radius.
inline double chord(const UnitVector& a, const UnitVector& b) {
  const double dx = a.x - b.x;
  const double dy = a.y - b.y;
  const double dz = a.z - b.z;
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

}  // namespace twinlane::app

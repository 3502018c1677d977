// SPDX-License-Identifier: Apache-2.0
// metricValue and declaredMetrics over Prometheus text; see prometheus_text.h.
#include "prometheus_text.h"

#include <sstream>

namespace twinlane::test {

std::optional<double> metricValue(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.size() <= series.size() || line.compare(0, series.size(), series) != 0 || line[series.size()] != ' ') continue;
    try {
      return std::stod(line.substr(series.size() + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::vector<std::string> declaredMetrics(const std::string& exposition) {
  std::vector<std::string> names;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string hash, type, name;
    if (fields >> hash >> type >> name && hash == "#" && type == "TYPE") names.push_back(name);
  }
  return names;
}

}  // namespace twinlane::test

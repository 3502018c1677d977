// SPDX-License-Identifier: Apache-2.0
// Reading values out of a Prometheus text exposition (twinlane's /metrics), by the series
// exactly as twinlane prints it: name{label="value",...} with labels in its order.
// Owns nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace twinlane::test {

// The value on the line "`series` VALUE"; nullopt if no such line or the value is not a number.
std::optional<double> metricValue(const std::string& exposition, const std::string& series);

// The names declared by "# TYPE NAME KIND" lines, in order.
std::vector<std::string> declaredMetrics(const std::string& exposition);

}  // namespace twinlane::test

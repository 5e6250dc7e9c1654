// CheckGolden compares `actual` with tests/scenarios/golden/NAME.txt. With the
// environment variable SCLAB_UPDATE_GOLDEN=1 it (re)writes the file instead and
// passes, so a deliberate change of an output format is one command:
//
//   SCLAB_UPDATE_GOLDEN=1 build/tests/scenarios/scenarios_test -t 'scn_golden*'
//
// and the diff of the golden files is reviewed like code.
#pragma once

#include <string>
#include <string_view>

namespace sclab::scn::testing {

// GoldenPath is the file a golden name stands for.
std::string GoldenPath(std::string_view name);

// CheckGolden fails the current test (naming the first differing line) when the
// file is missing or differs, unless SCLAB_UPDATE_GOLDEN=1.
void CheckGolden(std::string_view name, const std::string& actual);

}  // namespace sclab::scn::testing

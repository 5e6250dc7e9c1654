// Loc is a 1-based position (line, byte column) in a scenario file; line 0 means
// "no position".
#pragma once

#include <cstdint>

namespace sclab::scn {

struct Loc {
  uint32_t line = 0;
  uint32_t col = 0;

  friend bool operator==(const Loc&, const Loc&) = default;
};

}  // namespace sclab::scn

#include "cli/backends.h"

#include <fmt/format.h>

#include "live/live_backend.h"
#include "scenarios/sim_backend.h"

namespace sclab::cli {

std::unique_ptr<scn::Backend> MakeBackend(std::string_view name, const scn::RunOptions& options) {
  if (name == "live") {
    return std::make_unique<live::LiveBackend>(options);
  }
  if (name == "sim") {
    return std::make_unique<scn::SimBackend>(options);
  }
  throw BackendUnavailable(fmt::format("unknown backend `{}` (known: {})", name, kBackendNames));
}

}  // namespace sclab::cli

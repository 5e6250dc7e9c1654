#include "cli/backends.h"

#include <fmt/format.h>

#include "live/live_backend.h"

namespace sclab::cli {

std::unique_ptr<scn::Backend> MakeBackend(std::string_view name, const scn::RunOptions& options) {
  if (name == "live") {
    return std::make_unique<live::LiveBackend>(options);
  }
  // SimBackend (kernel_sim) registers here when it lands.
  if (name == "sim") {
    throw BackendUnavailable(fmt::format("the {} backend is not built into this binary yet", name));
  }
  throw BackendUnavailable(fmt::format("unknown backend `{}` (known: {})", name, kBackendNames));
}

}  // namespace sclab::cli

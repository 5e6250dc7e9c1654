#include "cli/backends.h"

#include <fmt/format.h>

namespace sclab::cli {

std::unique_ptr<scn::Backend> MakeBackend(std::string_view name,
                                          const scn::RunOptions& /*options*/) {
  // SimBackend (kernel_sim) and LiveBackend (live/) register here when they land.
  if (name == "sim" || name == "live") {
    throw BackendUnavailable(fmt::format("the {} backend is not built into this binary yet", name));
  }
  throw BackendUnavailable(fmt::format("unknown backend `{}` (known: {})", name, kBackendNames));
}

}  // namespace sclab::cli

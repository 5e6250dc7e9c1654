// MakeBackend is the one place the CLI turns a backend name into a scn::Backend:
// "sim" (the simulated kernel) and "live" (the real kernel), each configured with
// the run options. A backend that cannot be had — an unknown name, or one not built
// into this binary yet — is a BackendUnavailable with a one-line reason; `run`,
// `trace` and `check` report it and exit with status 2.
#pragma once

#include <memory>
#include <stdexcept>
#include <string_view>

#include "scenarios/backend.h"

namespace sclab::cli {

class BackendUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// kBackendNames lists the names MakeBackend knows, for --help and messages.
inline constexpr std::string_view kBackendNames = "sim, live";

std::unique_ptr<scn::Backend> MakeBackend(std::string_view name, const scn::RunOptions& options);

}  // namespace sclab::cli

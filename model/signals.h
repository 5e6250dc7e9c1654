// Signal is a Linux x86_64 signal number with its name and the kernel's default
// action (kernel/signal.c sig_kernel_{ignore,stop,coredump} sets); the table is the
// project's own.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sclab::model {

enum class SigDefault : unsigned char { kTerm, kCore, kIgn, kStop, kCont };

struct SignalInfo {
  int number;
  std::string_view name;  // "SIGSYS"
  SigDefault default_action;
};

inline constexpr int kSigHup = 1, kSigInt = 2, kSigQuit = 3, kSigIll = 4, kSigTrap = 5,
                     kSigAbrt = 6, kSigBus = 7, kSigFpe = 8, kSigKill = 9, kSigUsr1 = 10,
                     kSigSegv = 11, kSigUsr2 = 12, kSigPipe = 13, kSigAlrm = 14,
                     kSigTerm = 15, kSigChld = 17, kSigCont = 18, kSigStop = 19,
                     kSigSys = 31;
inline constexpr int kNumSignals = 31;  // standard signals 1..31; no real-time ones modelled

// Signals lists SIGHUP (1) .. SIGSYS (31) in numeric order.
std::span<const SignalInfo> Signals();

// FindSignal looks a signal up by number or by name ("SIGUSR1" or "USR1").
const SignalInfo* FindSignal(int number);
const SignalInfo* FindSignal(std::string_view name);

}  // namespace sclab::model

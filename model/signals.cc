#include "model/signals.h"

namespace sclab::model {
namespace {

using enum SigDefault;

constexpr SignalInfo kSignals[] = {
    {1, "SIGHUP", kTerm},     {2, "SIGINT", kTerm},     {3, "SIGQUIT", kCore},
    {4, "SIGILL", kCore},     {5, "SIGTRAP", kCore},    {6, "SIGABRT", kCore},
    {7, "SIGBUS", kCore},     {8, "SIGFPE", kCore},     {9, "SIGKILL", kTerm},
    {10, "SIGUSR1", kTerm},   {11, "SIGSEGV", kCore},   {12, "SIGUSR2", kTerm},
    {13, "SIGPIPE", kTerm},   {14, "SIGALRM", kTerm},   {15, "SIGTERM", kTerm},
    {16, "SIGSTKFLT", kTerm}, {17, "SIGCHLD", kIgn},    {18, "SIGCONT", kCont},
    {19, "SIGSTOP", kStop},   {20, "SIGTSTP", kStop},   {21, "SIGTTIN", kStop},
    {22, "SIGTTOU", kStop},   {23, "SIGURG", kIgn},     {24, "SIGXCPU", kCore},
    {25, "SIGXFSZ", kCore},   {26, "SIGVTALRM", kTerm}, {27, "SIGPROF", kTerm},
    {28, "SIGWINCH", kIgn},   {29, "SIGIO", kTerm},     {30, "SIGPWR", kTerm},
    {31, "SIGSYS", kCore},
};

}  // namespace

std::span<const SignalInfo> Signals() { return kSignals; }

const SignalInfo* FindSignal(int number) {
  if (number < 1 || number > kNumSignals) return nullptr;
  return &kSignals[number - 1];
}

const SignalInfo* FindSignal(std::string_view name) {
  for (const SignalInfo& s : kSignals) {
    if (s.name == name || s.name.substr(3) == name) return &s;
  }
  return nullptr;
}

}  // namespace sclab::model

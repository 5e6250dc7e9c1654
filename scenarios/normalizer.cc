#include "scenarios/normalizer.h"

#include <fmt/format.h>

#include "scenarios/constants.h"

namespace sclab::scn {

void Normalizer::AddTask(std::string name, int64_t tid) { tasks_[tid] = std::move(name); }

void Normalizer::AddNotification(std::string name, uint64_t id) {
  ids_.emplace_back(id, std::move(name));
}

void Normalizer::AddBuffer(int process, std::string name, uint64_t addr, uint64_t size) {
  buffers_[process].push_back(Buffer{std::move(name), addr, size});
}

void Normalizer::CopyBuffers(int from_process, int to_process) {
  const auto it = buffers_.find(from_process);
  if (it == buffers_.end()) {
    return;
  }
  const std::vector<Buffer> copy = it->second;
  std::vector<Buffer>& to = buffers_[to_process];
  to.insert(to.end(), copy.begin(), copy.end());
}

std::string Normalizer::Pid(int64_t pid) const {
  const auto it = tasks_.find(pid);
  return it != tasks_.end() ? it->second : std::to_string(pid);
}

std::string Normalizer::Id(uint64_t id) const {
  // The nearest received id; on a tie the earlier binding. Ids of one listener are
  // consecutive, so k is small for the ids a scenario writes (n1.id+1).
  const std::pair<uint64_t, std::string>* best = nullptr;
  uint64_t best_distance = 0;
  for (const auto& entry : ids_) {
    const uint64_t distance = entry.first > id ? entry.first - id : id - entry.first;
    if (best == nullptr || distance < best_distance) {
      best = &entry;
      best_distance = distance;
    }
  }
  if (best == nullptr) {
    return std::to_string(id);
  }
  if (best_distance == 0) {
    return best->second;
  }
  return fmt::format("{}{}{}", best->second, id > best->first ? "+" : "-", best_distance);
}

std::string Normalizer::Addr(uint64_t addr, int process) const {
  if (addr == kBadAddr) {
    return "bad_addr";
  }
  const auto it = buffers_.find(process);
  if (it == buffers_.end()) {
    return {};
  }
  for (const Buffer& b : it->second) {
    if (addr >= b.addr && addr - b.addr <= b.size) {
      const uint64_t off = addr - b.addr;
      return off == 0 ? "&" + b.name : fmt::format("&{}+{}", b.name, off);
    }
  }
  return {};
}

std::string Normalizer::Render(uint64_t bits, ValueKind kind, int process) const {
  const int64_t value = static_cast<int64_t>(bits);
  switch (kind) {
    case ValueKind::kPlain:
      return std::to_string(value);
    case ValueKind::kPid:
      return Pid(value);
    case ValueKind::kNotifId:
      return Id(bits);
    case ValueKind::kAddr: {
      std::string name = Addr(bits, process);
      return name.empty() ? std::to_string(value) : name;
    }
    case ValueKind::kSyscallNr: {
      std::string name = SyscallName(static_cast<int32_t>(bits));
      return name.empty() ? std::to_string(static_cast<int32_t>(bits)) : name;
    }
    case ValueKind::kArch: {
      std::string name = ArchName(bits);
      return name.empty() ? std::to_string(value) : name;
    }
    case ValueKind::kPollBits:
      return PollBitsName(bits);
    case ValueKind::kSignal: {
      std::string name = SignalName(value);
      return name.empty() ? std::to_string(value) : name;
    }
  }
  return std::to_string(value);
}

}  // namespace sclab::scn

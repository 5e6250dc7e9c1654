#include "live/proc_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace sclab::live {
namespace {

// ReadInto reads a /proc file into `buf` (NUL-terminated); false when it cannot.
bool ReadInto(const char* path, char* buf, size_t cap, size_t* len) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  size_t used = 0;
  while (used + 1 < cap) {
    const ssize_t n = read(fd, buf + used, cap - 1 - used);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      close(fd);
      return false;
    }
    if (n == 0) {
      break;
    }
    used += static_cast<size_t>(n);
  }
  close(fd);
  buf[used] = '\0';
  *len = used;
  return true;
}

std::string_view FieldValue(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(pos, end - pos);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
      std::string_view value = line.substr(key.size() + 1);
      while (!value.empty() && (value.front() == '\t' || value.front() == ' ')) {
        value.remove_prefix(1);
      }
      return value;
    }
    pos = end + 1;
  }
  return {};
}

// TaskPath is /proc/PID/task/TID/LEAF.
std::string TaskPath(int pid, int tid, const char* leaf) {
  return "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/" + leaf;
}

uint64_t Hex(std::string_view v) {
  return v.empty() ? 0 : std::strtoull(std::string(v).c_str(), nullptr, 16);
}

int64_t Dec(std::string_view v, int64_t missing) {
  return v.empty() ? missing : std::strtoll(std::string(v).c_str(), nullptr, 10);
}

std::optional<ProcStat> ParseStatText(const char* buf) {
  // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses.
  const char* close_paren = std::strrchr(buf, ')');
  if (close_paren == nullptr || close_paren[1] == '\0') {
    return std::nullopt;
  }
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::string_view rest(close_paren + 2);
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t end = rest.find_first_of(" \n", pos);
    if (end == std::string_view::npos) {
      end = rest.size();
    }
    fields.push_back(rest.substr(pos, end - pos));
    pos = end + 1;
  }
  auto field = [&](size_t n) -> std::string_view {  // n is the 1-based field of proc(5)
    return n >= 3 && n - 3 < fields.size() ? fields[n - 3] : std::string_view{};
  };
  ProcStat stat;
  stat.state = field(3).empty() ? '?' : field(3)[0];
  stat.ppid = static_cast<int>(Dec(field(4), 0));
  stat.pgrp = static_cast<int>(Dec(field(5), 0));
  stat.session = static_cast<int>(Dec(field(6), 0));
  stat.starttime = static_cast<uint64_t>(Dec(field(22), 0));
  stat.exit_code = static_cast<int>(Dec(field(52), 0));
  return stat;
}

std::optional<ProcStat> ParseStat(const char* path) {
  char buf[2048];
  size_t len = 0;
  if (!ReadInto(path, buf, sizeof buf, &len)) {
    return std::nullopt;
  }
  return ParseStatText(buf);
}

TaskStatus ParseStatus(std::string_view text) {
  TaskStatus status;
  const std::string_view state = FieldValue(text, "State");
  status.state = state.empty() ? '?' : state[0];
  status.sig_pending = Hex(FieldValue(text, "SigPnd"));
  status.shd_pending = Hex(FieldValue(text, "ShdPnd"));
  status.sig_blocked = Hex(FieldValue(text, "SigBlk"));
  status.cap_effective = Hex(FieldValue(text, "CapEff"));
  status.switches = static_cast<uint64_t>(Dec(FieldValue(text, "voluntary_ctxt_switches"), 0) +
                                          Dec(FieldValue(text, "nonvoluntary_ctxt_switches"), 0));
  status.seccomp_mode = static_cast<int>(Dec(FieldValue(text, "Seccomp"), -1));
  status.seccomp_filters = static_cast<int>(Dec(FieldValue(text, "Seccomp_filters"), -1));
  status.no_new_privs = static_cast<int>(Dec(FieldValue(text, "NoNewPrivs"), -1));
  status.uid = static_cast<int>(Dec(FieldValue(text, "Uid"), -1));
  status.gid = static_cast<int>(Dec(FieldValue(text, "Gid"), -1));
  status.threads = static_cast<int>(Dec(FieldValue(text, "Threads"), 0));
  return status;
}

std::optional<long> ParseSyscall(const char* buf, size_t len) {
  if (len == 0 || std::strncmp(buf, "running", 7) == 0) {
    return std::nullopt;
  }
  char* end = nullptr;
  const long nr = std::strtol(buf, &end, 10);
  if (end == buf) {
    return std::nullopt;
  }
  return nr;
}

// ReadKept reads /proc/PID/task/TID/LEAF through *fd, opening it on first use.
bool ReadKept(int pid, int tid, int* fd, const char* leaf, char* buf, size_t cap, size_t* len) {
  if (*fd < 0) {
    *fd = open(TaskPath(pid, tid, leaf).c_str(), O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
      return false;
    }
  }
  for (;;) {
    const ssize_t n = pread(*fd, buf, cap - 1, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    buf[n] = '\0';
    *len = static_cast<size_t>(n);
    return true;
  }
}

}  // namespace

std::optional<TaskStatus> ReadTaskStatus(int pid, int tid) {
  char buf[4096];
  size_t len = 0;
  if (!ReadInto(TaskPath(pid, tid, "status").c_str(), buf, sizeof buf, &len)) {
    return std::nullopt;
  }
  return ParseStatus(std::string_view(buf, len));
}

std::optional<long> ReadTaskSyscall(int pid, int tid) {
  char buf[256];
  size_t len = 0;
  if (!ReadInto(TaskPath(pid, tid, "syscall").c_str(), buf, sizeof buf, &len)) {
    return std::nullopt;
  }
  return ParseSyscall(buf, len);
}

std::string ReadTaskWchan(int pid, int tid) { return ReadText(TaskPath(pid, tid, "wchan")); }

std::optional<ProcStat> ReadProcStat(int pid) {
  return ParseStat(("/proc/" + std::to_string(pid) + "/stat").c_str());
}

std::optional<ProcStat> ReadTaskStat(int pid, int tid) {
  return ParseStat(TaskPath(pid, tid, "stat").c_str());
}

std::vector<int> ReadTaskChildren(int pid, int tid) {
  std::vector<int> children;
  const std::string text = ReadText(TaskPath(pid, tid, "children"));
  const char* p = text.c_str();
  while (*p != '\0') {
    char* end = nullptr;
    const long child = std::strtol(p, &end, 10);
    if (end == p) {
      break;
    }
    children.push_back(static_cast<int>(child));
    p = end;
  }
  return children;
}

int CountTasks(int pid) {
  DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
  if (dir == nullptr) {
    return 0;
  }
  int count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') {
      ++count;
    }
  }
  closedir(dir);
  return count;
}

std::string ReadText(const std::string& path) {
  char buf[4096];
  size_t len = 0;
  if (!ReadInto(path.c_str(), buf, sizeof buf, &len)) {
    return {};
  }
  return std::string(buf, len);
}

TaskProcFiles::~TaskProcFiles() {
  for (int fd : {status_fd_, stat_fd_, syscall_fd_}) {
    if (fd >= 0) {
      close(fd);
    }
  }
}

TaskProcFiles::TaskProcFiles(TaskProcFiles&& other) noexcept
    : pid_(other.pid_),
      tid_(other.tid_),
      status_fd_(other.status_fd_),
      stat_fd_(other.stat_fd_),
      syscall_fd_(other.syscall_fd_) {
  other.status_fd_ = other.stat_fd_ = other.syscall_fd_ = -1;
}

std::optional<TaskStatus> TaskProcFiles::Status() {
  char buf[4096];
  size_t len = 0;
  if (!ReadKept(pid_, tid_, &status_fd_, "status", buf, sizeof buf, &len)) {
    return std::nullopt;
  }
  return ParseStatus(std::string_view(buf, len));
}

std::optional<ProcStat> TaskProcFiles::Stat() {
  char buf[2048];
  size_t len = 0;
  if (!ReadKept(pid_, tid_, &stat_fd_, "stat", buf, sizeof buf, &len)) {
    return std::nullopt;
  }
  return ParseStatText(buf);
}

std::optional<long> TaskProcFiles::Syscall() {
  char buf[256];
  size_t len = 0;
  if (!ReadKept(pid_, tid_, &syscall_fd_, "syscall", buf, sizeof buf, &len)) {
    return std::nullopt;
  }
  return ParseSyscall(buf, len);
}

}  // namespace sclab::live

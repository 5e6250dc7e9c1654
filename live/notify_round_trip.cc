// The round-trip loop of live/notify_round_trip.h. The child never returns: it
// _exit()s with 1 when a step fails (the parent then sees the socket close), so every
// error is reported by the parent, as a value.
#include "live/notify_round_trip.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "model/errno.h"

namespace sclab::live {

namespace {

constexpr unsigned long kSetFlags = 0x40082104;  // SECCOMP_IOCTL_NOTIF_SET_FLAGS (6.6)
constexpr unsigned long kSyncWakeUp = 1;         // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP

RoundTrip Failed(const char* step) {
  RoundTrip r;
  r.why = std::string(step) + ": " + std::string(model::ErrnoName(model::Errno{errno}));
  return r;
}

// OneFdMessage points `msg` at a one-byte payload and room for one descriptor.
void OneFdMessage(msghdr* msg, iovec* iov, char* byte, char* control, size_t control_len) {
  *iov = iovec{byte, 1};
  *msg = msghdr{};
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  msg->msg_control = control;
  msg->msg_controllen = control_len;
}

bool SendFd(int sock, int fd) {
  char byte = 0;
  iovec iov{};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  OneFdMessage(&msg, &iov, &byte, control, sizeof(control));
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  return sendmsg(sock, &msg, 0) == 1;
}

int RecvFd(int sock) {
  char byte = 0;
  iovec iov{};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  OneFdMessage(&msg, &iov, &byte, control, sizeof(control));
  if (recvmsg(sock, &msg, 0) != 1 || CMSG_FIRSTHDR(&msg) == nullptr) return -1;
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
  return fd;
}

[[noreturn]] void Child(int sock, long iterations) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(1);
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),                   // A = nr
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),  // getppid?
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),       //   notify
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),            //   allow
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
  const long fd =
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (fd < 0 || !SendFd(sock, static_cast<int>(fd))) _exit(1);
  close(static_cast<int>(fd));
  for (long i = 0; i < iterations; ++i) (void)syscall(SYS_getppid);
  _exit(0);
}

}  // namespace

RoundTrip MeasureNotifyRoundTrip(long iterations, bool sync_wake_up) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return Failed("socketpair");
  const pid_t pid = fork();
  if (pid < 0) return Failed("fork");
  if (pid == 0) {
    close(sv[0]);
    Child(sv[1], iterations);
  }
  close(sv[1]);
  RoundTrip result;
  const int fd = RecvFd(sv[0]);
  if (fd < 0) {
    result.why = "the child could not install a filter with a listener";
  } else if (sync_wake_up && ioctl(fd, kSetFlags, kSyncWakeUp) != 0) {
    result = Failed("SECCOMP_IOCTL_NOTIF_SET_FLAGS");
  } else {
    seccomp_notif req{};
    seccomp_notif_resp resp{};
    const auto start = std::chrono::steady_clock::now();
    long i = 0;
    for (; i < iterations; ++i) {
      std::memset(&req, 0, sizeof(req));
      if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
        result = Failed("SECCOMP_IOCTL_NOTIF_RECV");
        break;
      }
      resp = seccomp_notif_resp{};
      resp.id = req.id;
      if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) {
        result = Failed("SECCOMP_IOCTL_NOTIF_SEND");
        break;
      }
    }
    const auto end = std::chrono::steady_clock::now();
    if (i == iterations) {
      result.ok = true;
      result.per_second =
          static_cast<double>(iterations) / std::chrono::duration<double>(end - start).count();
    }
  }
  if (fd >= 0) close(fd);  // a child still waiting in getppid() gets ENOSYS and ends
  int status = 0;
  waitpid(pid, &status, 0);
  close(sv[0]);
  return result;
}

}  // namespace sclab::live

// notify_roundtrip_live measures the real kernel's user-notification round trip on
// this machine, for comparison with the simulator's (docs/kernel_sim.md): a child
// installs a filter that sends getppid() to a listener, hands the listener to the
// parent over a socketpair (SCM_RIGHTS) and calls getppid() in a loop; the parent
// RECVs and SENDs each notification. Prints round trips per second, without and
// with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP. Usage: notify_roundtrip_live [iterations]
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr unsigned long kSetFlags = 0x40082104;  // SECCOMP_IOCTL_NOTIF_SET_FLAGS (6.6)
constexpr unsigned long kSyncWakeUp = 1;         // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP

void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

void SendFd(int sock, int fd) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  if (sendmsg(sock, &msg, 0) != 1) {
    Die("sendmsg");
  }
}

int RecvFd(int sock) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  if (recvmsg(sock, &msg, 0) != 1) {
    Die("recvmsg");
  }
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
  return fd;
}

[[noreturn]] void Child(int sock, long iterations) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    Die("prctl");
  }
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),                   // A = nr
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),  // getppid?
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),       //   notify
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),            //   allow
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
  const long fd =
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (fd < 0) {
    Die("seccomp");
  }
  SendFd(sock, static_cast<int>(fd));
  close(static_cast<int>(fd));
  for (long i = 0; i < iterations; ++i) {
    (void)syscall(SYS_getppid);
  }
  _exit(0);
}

double Run(long iterations, bool sync_wake_up) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
    Die("socketpair");
  }
  const pid_t pid = fork();
  if (pid < 0) {
    Die("fork");
  }
  if (pid == 0) {
    close(sv[0]);
    Child(sv[1], iterations);
  }
  close(sv[1]);
  const int fd = RecvFd(sv[0]);
  if (sync_wake_up && ioctl(fd, kSetFlags, kSyncWakeUp) != 0) {
    Die("SET_FLAGS");
  }
  seccomp_notif req{};
  seccomp_notif_resp resp{};
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i) {
    std::memset(&req, 0, sizeof(req));
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
      Die("RECV");
    }
    resp.id = req.id;
    resp.val = 0;
    resp.error = 0;
    resp.flags = 0;
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) {
      Die("SEND");
    }
  }
  const auto end = std::chrono::steady_clock::now();
  int status = 0;
  waitpid(pid, &status, 0);
  close(fd);
  close(sv[0]);
  const double seconds = std::chrono::duration<double>(end - start).count();
  return static_cast<double>(iterations) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 200000;
  const double plain = Run(iterations, false);
  const double sync = Run(iterations, true);
  std::printf(
      "real kernel round trips/s: %.0f (%.2f us each); with SYNC_WAKE_UP: %.0f (%.2f us each)\n",
      plain, 1e6 / plain, sync, 1e6 / sync);
  return 0;
}

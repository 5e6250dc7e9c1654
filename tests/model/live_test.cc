// model_live_test: the extensible-struct rules of model/ against the running kernel.
//
// Every case is a byte image of a struct argument, how much of it is mapped (the
// rest of the struct lies in a PROT_NONE page, so straddling cases are real), and a
// size. The same image is placed in a simulated UserMemory (at the end of a mapping,
// as AllocBuffer places buffers) and in this process's memory (at the end of a
// read-write area followed by a PROT_NONE page); the model's verdict must equal the
// kernel's errno, or success, for every case.
//
// openat2 runs on /dev/null (or "/" and /dev + "null" where a flag needs it). A case
// the model accepts then reaches the path walk, which the model does not cover; such
// a case states the path-stage outcome it expects (success for almost all).
//
// clone3 never creates a child on purpose: every buffer that could reach
// clone3_args_valid() carries a CSIGNAL bit in `flags`, which clone3 refuses with
// EINVAL after all the copy checks, so the cases still tell the copy's E2BIG/EFAULT
// from it. Should the kernel accept one anyway, the child is fork-like (no CLONE_VM)
// and exits at once, and the parent reaps it and fails the test.
#define BOOST_TEST_MODULE model_live
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "model/clone_args.h"
#include "model/open_how.h"
#include "model/uapi.h"
#include "model/user_memory.h"
#include "tests/model/test_helpers.h"

namespace sclab::model {
namespace {

// Outcome is what a call ended with: success, or an errno.
struct Outcome {
  bool ok = true;
  int err = 0;
};

std::string Describe(const Outcome& o) {
  return o.ok ? "success" : std::string(ErrnoName(Errno{o.err}));
}

template <class T>
Outcome FromModel(const SysResult<T>& r) {
  return r.ok() ? Outcome{} : Outcome{false, r.error().value};
}

Outcome Fails(Errno e) { return Outcome{false, e.value}; }

// LiveArea is `pages` read-write pages followed by one PROT_NONE page.
class LiveArea {
 public:
  explicit LiveArea(uint64_t pages) : len_((pages + 1) * kPageSize) {
    void* p = mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    BOOST_TEST_REQUIRE(p != MAP_FAILED);
    base_ = static_cast<uint8_t*>(p);
    guard_ = base_ + pages * kPageSize;
    BOOST_TEST_REQUIRE(mprotect(guard_, kPageSize, PROT_NONE) == 0);
  }
  ~LiveArea() { munmap(base_, len_); }
  LiveArea(const LiveArea&) = delete;
  LiveArea& operator=(const LiveArea&) = delete;

  // Place zeroes the area and puts `bytes` so that `mapped` bytes from the returned
  // address are readable and the next one is not.
  uint8_t* Place(const std::vector<uint8_t>& bytes, uint64_t mapped, uint8_t fill = 0) {
    std::memset(base_, fill, static_cast<size_t>(guard_ - base_));
    uint8_t* at = guard_ - mapped;
    std::copy_n(bytes.begin(), std::min<size_t>(bytes.size(), mapped), at);
    return at;
  }

 private:
  uint64_t len_;
  uint8_t* base_ = nullptr;
  uint8_t* guard_ = nullptr;
};

enum class Ptr { kBuffer, kNull, kBad };

// StructCase is one argument image: `bytes` are the struct's first bytes (zeros
// after them up to `mapped`), `mapped` how many bytes from its start are readable.
struct StructCase {
  std::string name;
  uint64_t usize = 0;
  std::vector<uint8_t> bytes;
  uint64_t mapped = 0;
  Ptr ptr = Ptr::kBuffer;
};

// ModelAddress places the case in `mem` and returns the pointer argument.
uint64_t ModelAddress(UserMemory& mem, const StructCase& c) {
  if (c.ptr == Ptr::kNull) return 0;
  if (c.ptr == Ptr::kBad) return kBadAddr;
  const uint64_t a = mem.AllocBuffer(c.mapped);
  std::vector<uint8_t> image(c.mapped, 0);
  std::copy_n(c.bytes.begin(), std::min<size_t>(c.bytes.size(), c.mapped), image.begin());
  BOOST_TEST_REQUIRE(mem.Write(a, image).ok());
  return a;
}

void* LiveAddress(LiveArea& area, const StructCase& c) {
  if (c.ptr == Ptr::kNull) return nullptr;
  // The kernel is to see this exact address.
  if (c.ptr == Ptr::kBad)
    return reinterpret_cast<void*>(kBadAddr);  // NOLINT(performance-no-int-to-ptr)
  return area.Place(c.bytes, c.mapped);
}

template <class T>
std::vector<uint8_t> Image(const T& object) {
  const auto b = BytesOf(object);
  return {b.begin(), b.end()};
}

// Tally counts compared cases and collects disagreements.
struct Tally {
  int compared = 0;
  std::vector<std::string> mismatches;

  void Compare(const std::string& name, const Outcome& model, const Outcome& kernel,
               const char* why) {
    CompareText(name, Describe(model), Describe(kernel), why);
  }
  void CompareText(const std::string& name, const std::string& model, const std::string& kernel,
                   const char* why) {
    ++compared;
    if (model == kernel) return;
    mismatches.push_back(name + ": model " + model + " (" + why + "), kernel " + kernel);
  }
  void Report(const char* what) const {
    std::cout << what << ": " << compared << " cases compared with the kernel, "
              << mismatches.size() << " disagree\n";
    for (const std::string& m : mismatches) std::cout << "  DISAGREE " << m << "\n";
    BOOST_TEST(mismatches.empty(), what << ": " << mismatches.size() << " disagreements");
    BOOST_TEST(compared > 0);
  }
};

// The size/tail/fault matrix of an extensible struct whose kernel size is `ksize`,
// built from a valid image `base` (ksize bytes).
std::vector<StructCase> SizeMatrix(const std::string& what, const std::vector<uint8_t>& base,
                                   uint64_t ver0) {
  const uint64_t ksize = base.size();
  std::vector<StructCase> cases;
  auto image = [&](uint64_t usize) {
    std::vector<uint8_t> b(usize, 0);
    std::copy_n(base.begin(), std::min(usize, ksize), b.begin());
    return b;
  };
  auto add = [&](const std::string& name, uint64_t usize, std::vector<uint8_t> bytes,
                 uint64_t mapped, Ptr ptr = Ptr::kBuffer) {
    cases.push_back({what + " " + name, usize, std::move(bytes), mapped, ptr});
  };
  // Sizes below VER0, VER0 itself, every size up to ksize.
  for (uint64_t usize = 0; usize <= ksize; ++usize) {
    add("usize=" + std::to_string(usize), usize, image(usize), usize);
  }
  // ksize+1 .. ksize+24: a zero tail, then a non-zero byte at each tail position.
  for (uint64_t usize = ksize + 1; usize <= ksize + 24; ++usize) {
    add("usize=" + std::to_string(usize) + " zero tail", usize, image(usize), usize);
    for (uint64_t p = ksize; p < usize; ++p) {
      std::vector<uint8_t> b = image(usize);
      b[p] = 0x5a;
      add("usize=" + std::to_string(usize) + " tail byte " + std::to_string(p), usize, b, usize);
    }
  }
  // Around PAGE_SIZE.
  for (uint64_t usize : {kPageSize - 1, kPageSize, kPageSize + 1}) {
    add("usize=" + std::to_string(usize) + " zero tail", usize, image(usize), usize);
    for (uint64_t p : {ksize, usize / 2, usize - 1}) {
      std::vector<uint8_t> b = image(usize);
      b[p] = 1;
      add("usize=" + std::to_string(usize) + " tail byte " + std::to_string(p), usize, b, usize);
    }
  }
  add("usize=2^32", uint64_t{1} << 32, image(ksize), ksize);
  add("usize=SIZE_MAX", ~uint64_t{0}, image(ksize), ksize);
  // Bad pointers, with sizes on each side of the size checks.
  for (uint64_t usize : {uint64_t{0}, ver0 - 1, ver0, ksize, ksize + 8, kPageSize + 1}) {
    add("NULL usize=" + std::to_string(usize), usize, {}, 0, Ptr::kNull);
    add("bad_addr usize=" + std::to_string(usize), usize, {}, 0, Ptr::kBad);
  }
  // The struct straddling the end of the mapping: every split of the first ksize+24
  // bytes. A zero tail runs into the unmapped page (EFAULT); a non-zero byte just
  // before the page is seen first (E2BIG).
  for (uint64_t usize = ver0; usize <= ksize + 24; ++usize) {
    for (uint64_t mapped = 0; mapped < usize; ++mapped) {
      const std::string name =
          "usize=" + std::to_string(usize) + " mapped=" + std::to_string(mapped);
      add(name, usize, image(usize), mapped);
      if (mapped > ksize) {
        std::vector<uint8_t> b = image(usize);
        b[mapped - 1] = 0x80;
        add(name + " last mapped byte set", usize, b, mapped);
      }
    }
  }
  return cases;
}

// ---------------------------------------------------------------- openat2

long RawOpenat2(int dirfd, const char* path, const void* how, uint64_t usize) {
  return syscall(SYS_openat2, dirfd, path, how, static_cast<size_t>(usize));
}

Outcome LiveOutcome(long r, int err) {
  if (r < 0) return Outcome{false, err};
  return Outcome{};
}

// Openat2Live calls the real openat2 and closes the fd it may return.
Outcome Openat2Live(int dirfd, const char* path, const void* how, uint64_t usize) {
  errno = 0;
  const long r = RawOpenat2(dirfd, path, how, usize);
  const int err = errno;
  if (r >= 0) close(static_cast<int>(r));
  return LiveOutcome(r, err);
}

boost::test_tools::assertion_result Openat2Available(boost::unit_test::test_unit_id) {
  const open_how how{};
  errno = 0;
  const long r = RawOpenat2(AT_FDCWD, "/dev/null", &how, sizeof how);
  const int err = errno;
  if (r >= 0) close(static_cast<int>(r));
  boost::test_tools::assertion_result ok(r >= 0);
  if (r < 0) ok.message() << "openat2(/dev/null) fails with errno " << err << "; skipped";
  return ok;
}

// FlagCase is an open_how whose flag rules are compared; a case the model accepts
// expects `path_outcome` from the path walk.
struct FlagCase {
  std::string name;
  open_how how;
  const char* path = "/dev/null";
  bool in_dev = false;  // resolve relative to an O_PATH fd of /dev ("null")
  Outcome path_outcome{};
};

std::vector<FlagCase> FlagCases() {
  std::vector<FlagCase> cases;
  for (int bit = 0; bit < 64; ++bit) {
    const uint64_t flag = uint64_t{1} << bit;
    FlagCase c{"flags bit " + std::to_string(bit), open_how{flag, 0, 0}};
    if (flag == kODirectory) c.path = "/";
    // /dev/null has no O_DIRECT support: do_dentry_open() refuses it after the walk.
    if (flag == kODirect) c.path_outcome = Fails(kEINVAL);
    // O_NOATIME on a file one does not own needs CAP_FOWNER (CI runs as root).
    if (flag == kONoatime && geteuid() != 0) c.path_outcome = Fails(kEPERM);
    cases.push_back(c);
  }
  for (int bit = 0; bit < 64; ++bit) {
    FlagCase c{"resolve bit " + std::to_string(bit), open_how{0, 0, uint64_t{1} << bit}};
    c.path = "null";
    c.in_dev = true;
    cases.push_back(c);
  }
  auto add = [&](std::string name, uint64_t flags, uint64_t mode, uint64_t resolve,
                 const char* path = "/dev/null", Outcome path_outcome = {}) {
    cases.push_back({std::move(name), open_how{flags, mode, resolve}, path, false, path_outcome});
  };
  auto add_dev = [&](std::string name, uint64_t flags, uint64_t mode, uint64_t resolve) {
    cases.push_back({std::move(name), open_how{flags, mode, resolve}, "null", true, {}});
  };
  add("O_WRONLY|O_RDWR (access mode 3)", kOAccmode, 0, 0);
  add("O_CREAT mode 07777", kOCreat, 07777, 0);
  add("O_CREAT mode 010000", kOCreat, 010000, 0);
  add("O_CREAT mode 1<<32", kOCreat, uint64_t{1} << 32, 0);
  add("O_CREAT|O_EXCL existing", kOCreat | kOExcl, 0600, 0, "/dev/null", Fails(kEEXIST));
  add("mode without O_CREAT", kORdonly, 0644, 0);
  add("mode with O_PATH", kOPath, 1, 0);
  add("O_DIRECTORY|O_CREAT", kODirectory | kOCreat, 0, 0, "/");
  add("O_TMPFILE|O_RDONLY", kOTmpfile, 0600, 0, "/");
  add("__O_TMPFILE|O_RDWR", kOTmpfileBit | kORdwr, 0600, 0, "/");
  add("O_TMPFILE|O_CREAT|O_RDWR", kOTmpfile | kOCreat | kORdwr, 0600, 0, "/");
  add("O_TMPFILE|O_RDWR on /dev/null", kOTmpfile | kORdwr, 0600, 0, "/dev/null", Fails(kENOTDIR));
  add("O_TMPFILE|O_RDWR mode 010000", kOTmpfile | kORdwr, 010000, 0, "/");
  add("O_PATH", kOPath, 0, 0);
  add("O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC", kOPath | kODirectory | kONofollow | kOCloexec, 0,
      0, "/");
  add("O_PATH|O_LARGEFILE", kOPath | kOLargefile, 0, 0);
  add("O_PATH|O_RDWR", kOPath | kORdwr, 0, 0);
  add("O_PATH|O_CREAT", kOPath | kOCreat, 0, 0);
  add("O_PATH|O_NONBLOCK", kOPath | kONonblock, 0, 0);
  add("O_PATH|O_SYNC", kOPath | kOSync, 0, 0);
  add("O_SYNC|O_WRONLY", kOSync | kOWronly, 0, 0);
  add("O_CLOEXEC|O_RDWR", kOCloexec | kORdwr, 0, 0);
  add("O_RDWR|bit 32", kORdwr | (uint64_t{1} << 32), 0, 0);
  add("old FMODE_NONOTIFY bit", uint64_t{1} << 26, 0, 0);
  add("RESOLVE_BENEATH|RESOLVE_IN_ROOT", 0, 0, kResolveBeneath | kResolveInRoot);
  add("RESOLVE_CACHED|O_TRUNC", kOTrunc, 0, kResolveCached);
  add("RESOLVE_CACHED|O_CREAT", kOCreat, 0, kResolveCached);
  add("RESOLVE_CACHED|O_TMPFILE|O_RDWR", kOTmpfile | kORdwr, 0600, kResolveCached, "/");
  add("RESOLVE_CACHED|O_DIRECTORY", kODirectory, 0, kResolveCached, "/");
  add("RESOLVE_CACHED|O_CREAT|O_DIRECTORY", kOCreat | kODirectory, 0, kResolveCached, "/");
  add("RESOLVE_CACHED|O_TRUNC mode 0644", kOTrunc, 0644, kResolveCached);
  add("RESOLVE_CACHED|O_CREAT mode 010000", kOCreat, 010000, kResolveCached);
  add("bad flag and bad resolve", uint64_t{1} << 40, 0, uint64_t{1} << 40);
  add("bad resolve and bad mode", 0, 0644, uint64_t{1} << 40);
  add_dev("RESOLVE_BENEATH|NO_SYMLINKS|NO_MAGICLINKS|NO_XDEV", 0, 0,
          kResolveBeneath | kResolveNoSymlinks | kResolveNoMagiclinks | kResolveNoXdev);
  add_dev("RESOLVE_IN_ROOT|RESOLVE_CACHED", 0, 0, kResolveInRoot | kResolveCached);
  return cases;
}

BOOST_AUTO_TEST_SUITE(model_live)

BOOST_AUTO_TEST_CASE(openat2_sizes_tails_and_faults_agree_with_the_kernel,
                     *boost::unit_test::precondition(Openat2Available)) {
  LiveArea area(2);
  Tally tally;
  for (const StructCase& c : SizeMatrix("openat2", Image(open_how{}), kOpenHowSizeVer0)) {
    UserMemory mem;
    const SysResult<Openat2Args> model =
        Openat2ArgsFromUser(mem, nullptr, ModelAddress(mem, c), c.usize);
    const Outcome kernel = Openat2Live(AT_FDCWD, "/dev/null", LiveAddress(area, c), c.usize);
    tally.Compare(c.name, FromModel(model), kernel, model.why());
  }
  tally.Report("openat2 sizes/tails/faults");
}

BOOST_AUTO_TEST_CASE(openat2_flag_mode_and_resolve_rules_agree_with_the_kernel,
                     *boost::unit_test::precondition(Openat2Available)) {
  const int dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
  BOOST_TEST_REQUIRE(dev >= 0);
  // Warm the dentry cache so that RESOLVE_CACHED lookups of /dev/null succeed.
  close(open("/dev/null", O_RDONLY | O_CLOEXEC));
  Tally tally;
  for (const FlagCase& c : FlagCases()) {
    UserMemory mem;
    const uint64_t a = PlaceStruct(mem, BytesOf(c.how), sizeof c.how);
    const SysResult<Openat2Args> model = Openat2ArgsFromUser(mem, nullptr, a, sizeof c.how);
    const Outcome expected = model.ok() ? c.path_outcome : FromModel(model);
    const Outcome kernel = Openat2Live(c.in_dev ? dev : AT_FDCWD, c.path, &c.how, sizeof c.how);
    tally.Compare(c.name, expected, kernel, model.ok() ? "accepted; path stage" : model.why());
  }
  close(dev);
  tally.Report("openat2 flags/mode/resolve");
}

// getname() after build_open_flags(): the path is read only once the arguments pass.
BOOST_AUTO_TEST_CASE(openat2_path_reading_agrees_with_the_kernel,
                     *boost::unit_test::precondition(Openat2Available)) {
  struct PathCase {
    std::string name;
    std::string text;  // the bytes placed at the end of the mapping (no NUL added)
    Ptr ptr = Ptr::kBuffer;
    uint64_t flags = 0;
  };
  const std::string dev_null = "/dev/null";
  std::vector<PathCase> cases = {
      {"NUL is the last mapped byte", dev_null + '\0'},
      {"no NUL before the unmapped page", dev_null},
      {"empty path", std::string(1, '\0')},
      {"NULL path", "", Ptr::kNull},
      {"bad_addr path", "", Ptr::kBad},
      {"4095 bytes and a NUL", std::string(kPathMax - 1 - dev_null.size(), '/') + dev_null + '\0'},
      {"4096 bytes and a NUL", std::string(kPathMax - dev_null.size(), '/') + dev_null + '\0'},
      {"4096 bytes, then the unmapped page",
       std::string(kPathMax - dev_null.size(), '/') + dev_null},
      {"4095 bytes, then the unmapped page",
       std::string(kPathMax - 1 - dev_null.size(), '/') + dev_null},
      {"bad flags before a bad path", "", Ptr::kBad, uint64_t{1} << 40},
      {"bad flags before a long path", std::string(kPathMax, '/'), Ptr::kBuffer, uint64_t{1} << 40},
  };
  LiveArea area(2);
  Tally tally;
  for (const PathCase& c : cases) {
    const open_how how{c.flags, 0, 0};
    UserMemory mem;
    const uint64_t how_addr = PlaceStruct(mem, BytesOf(how), sizeof how);
    StructCase path{c.name, 0, std::vector<uint8_t>(c.text.begin(), c.text.end()), c.text.size(),
                    c.ptr};
    const uint64_t path_addr = ModelAddress(mem, path);
    Outcome model;
    const char* why = "accepted";
    const SysResult<Openat2Args> args = Openat2ArgsFromUser(mem, nullptr, how_addr, sizeof how);
    if (!args.ok()) {
      model = FromModel(args);
      why = args.why();
    } else {
      const SysResult<std::string> name = mem.ReadCString(path_addr, kPathMax);
      model = FromModel(name);
      why = name.why();
      // getname(): an empty name is ENOENT without LOOKUP_EMPTY.
      if (name.ok() && name.value().empty()) {
        model = Fails(kENOENT);
        why = "getname: empty path";
      }
    }
    const auto* live_path = static_cast<const char*>(LiveAddress(area, path));
    const Outcome kernel = Openat2Live(AT_FDCWD, live_path, &how, sizeof how);
    tally.Compare("path: " + c.name, model, kernel, why);
  }
  tally.Report("openat2 path reading");
}

// ---------------------------------------------------------------- clone3

long RawClone3(const void* args, uint64_t usize) {
  return syscall(SYS_clone3, args, static_cast<size_t>(usize));
}

// Clone3Live calls the real clone3. A child (which no case should make) exits at
// once; the parent reaps it and reports it.
Outcome Clone3Live(const void* args, uint64_t usize, bool* made_child) {
  errno = 0;
  const long r = RawClone3(args, usize);
  const int err = errno;
  if (r == 0) _exit(0);
  if (r > 0) {
    *made_child = true;
    int status = 0;
    waitpid(static_cast<pid_t>(r), &status, __WALL);
  }
  return LiveOutcome(r, err);
}

boost::test_tools::assertion_result Clone3Available(boost::unit_test::test_unit_id) {
  errno = 0;
  const long r = RawClone3(nullptr, kCloneArgsSizeVer0);  // EFAULT when clone3 exists
  const int err = errno;
  boost::test_tools::assertion_result ok(r < 0 && err == EFAULT);
  if (!ok) ok.message() << "clone3(NULL, 64) gives errno " << err << ", not EFAULT; skipped";
  return ok;
}

// Poisoned returns clone_args that clone3_args_valid() refuses (a CSIGNAL bit in
// flags), fork-like (no CLONE_VM) should a kernel accept it anyway.
clone_args Poisoned() {
  clone_args a{};
  a.flags = 0x01;
  return a;
}

BOOST_AUTO_TEST_CASE(clone3_sizes_tails_and_faults_agree_with_the_kernel,
                     *boost::unit_test::precondition(Clone3Available)) {
  std::vector<StructCase> cases = SizeMatrix("clone3", Image(Poisoned()), kCloneArgsSizeVer0);
  auto add = [&](std::string name, const clone_args& a, uint64_t usize) {
    cases.push_back({"clone3 " + std::move(name), usize, Image(a), usize, Ptr::kBuffer});
  };
  clone_args a = Poisoned();
  a.set_tid = kBadAddr;
  a.set_tid_size = 1;
  add("set_tid at bad_addr", a, 88);
  a.set_tid_size = 33;
  add("set_tid_size 33", a, 88);
  a = Poisoned();
  a.set_tid_size = 1;
  add("set_tid_size without set_tid", a, 88);
  a = Poisoned();
  a.exit_signal = 65;
  add("exit_signal 65", a, 88);
  a.exit_signal = uint64_t{1} << 32;
  add("exit_signal 1<<32", a, 88);
  a = Poisoned();
  a.flags |= kCloneIntoCgroup;
  add("CLONE_INTO_CGROUP usize 80", a, 80);

  LiveArea area(2);
  Tally tally;
  bool made_child = false;
  for (const StructCase& c : cases) {
    UserMemory mem;
    const SysResult<KernelCloneArgs> model =
        Clone3ArgsFromUser(mem, nullptr, ModelAddress(mem, c), c.usize);
    BOOST_TEST_REQUIRE(!model.ok(), c.name << ": the model would create a process");
    const Outcome kernel = Clone3Live(LiveAddress(area, c), c.usize, &made_child);
    tally.Compare(c.name, FromModel(model), kernel, model.why());
  }
  BOOST_TEST(!made_child);
  tally.Report("clone3 sizes/tails/faults");
}

// ---------------------------------------------------------------- copy_to_user

// A fault in the middle of copy_to_user() leaves the mapped prefix written
// (uname(2) copies its 390-byte struct with one copy_to_user()).
BOOST_AUTO_TEST_CASE(copy_to_user_fault_leaves_the_same_prefix_written) {
  constexpr uint64_t kUtsnameSize = uint64_t{6} * 65;
  LiveArea area(2);
  Tally tally;
  for (uint64_t mapped :
       {uint64_t{0}, uint64_t{1}, uint64_t{100}, uint64_t{389}, kUtsnameSize, uint64_t{4096}}) {
    UserMemory mem;
    const uint64_t dst = mem.AllocBuffer(mapped);
    BOOST_TEST_REQUIRE(mem.Write(dst, std::vector<uint8_t>(mapped, 0xaa)).ok());
    const std::vector<uint8_t> kernel_struct(kUtsnameSize, 0x11);
    const SysResult<void> model = CopyToUser(mem, nullptr, dst, kernel_struct);
    std::vector<uint8_t> after(mapped);
    BOOST_TEST_REQUIRE(mem.Read(dst, after).ok());
    const auto model_written = std::count(after.begin(), after.end(), 0x11);

    uint8_t* p = area.Place({}, mapped, 0xaa);
    errno = 0;
    const long r = syscall(SYS_uname, p);
    const int err = errno;
    const auto live_written = std::count_if(p, p + mapped, [](uint8_t b) { return b != 0xaa; });
    const std::string name = "uname mapped=" + std::to_string(mapped);
    tally.Compare(name, FromModel(model), LiveOutcome(r, err), model.why());
    tally.CompareText(name + " bytes written", std::to_string(model_written),
                      std::to_string(live_written), "the mapped prefix");
  }
  tally.Report("copy_to_user partial writes");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::model

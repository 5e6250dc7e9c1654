// A global operator new/delete that counts live heap bytes (see counting_allocator.h).
// The benchmarks are single-threaded, so plain counters suffice.
#include "bench/counting_allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace {

int64_t g_live = 0;
int64_t g_allocs = 0;

void* Take(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  g_live += static_cast<int64_t>(malloc_usable_size(p));
  ++g_allocs;
  return p;
}

void* TakeAligned(std::size_t size, std::align_val_t align) {
  const auto a = static_cast<std::size_t>(align);
  void* p = std::aligned_alloc(a, (size + a - 1) / a * a);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  g_live += static_cast<int64_t>(malloc_usable_size(p));
  ++g_allocs;
  return p;
}

void Give(void* p) {
  if (p == nullptr) {
    return;
  }
  g_live -= static_cast<int64_t>(malloc_usable_size(p));
  std::free(p);
}

}  // namespace

namespace sclab::bench {
int64_t LiveHeapBytes() { return g_live; }
int64_t HeapAllocations() { return g_allocs; }
}  // namespace sclab::bench

void* operator new(std::size_t size) { return Take(size); }
void* operator new[](std::size_t size) { return Take(size); }
void* operator new(std::size_t size, std::align_val_t a) { return TakeAligned(size, a); }
void* operator new[](std::size_t size, std::align_val_t a) { return TakeAligned(size, a); }
void operator delete(void* p) noexcept { Give(p); }
void operator delete[](void* p) noexcept { Give(p); }
void operator delete(void* p, std::size_t) noexcept { Give(p); }
void operator delete[](void* p, std::size_t) noexcept { Give(p); }
void operator delete(void* p, std::align_val_t) noexcept { Give(p); }
void operator delete[](void* p, std::align_val_t) noexcept { Give(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { Give(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { Give(p); }

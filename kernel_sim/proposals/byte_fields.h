// ByteFields reads and writes little-endian integers inside a host byte buffer: a
// record the kernel is about to copy out, or one userspace has just received. These
// buffers are kernel or userspace memory of the simulation's own, never simulated user
// memory (that is only ever touched through model/copy.h).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#include "base/check.h"

namespace sclab::ksim::proposals {

// LoadLe returns the T at `offset` of `bytes` (x86_64 is little endian, as is the host
// this builds on; uapi_host_check.cc pins the layouts).
template <class T>
requires std::is_trivially_copyable_v<T> T LoadLe(std::span<const uint8_t> bytes, uint64_t offset) {
  SCLAB_CHECK(offset + sizeof(T) <= bytes.size(), "LoadLe: field beyond the buffer");
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// StoreLe writes `value` at `offset` of `bytes`.
template <class T>
requires std::is_trivially_copyable_v<T>
void StoreLe(std::span<uint8_t> bytes, uint64_t offset, const T& value) {
  SCLAB_CHECK(offset + sizeof(T) <= bytes.size(), "StoreLe: field beyond the buffer");
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

}  // namespace sclab::ksim::proposals

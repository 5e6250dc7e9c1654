// LiveHeapBytes is what the counting allocator (counting_allocator.cc, linked into the
// benchmark binaries) holds right now: every operator new adds malloc_usable_size()
// of the block, every delete subtracts it, so malloc's own rounding is counted too.
#pragma once

#include <cstdint>

namespace sclab::bench {

int64_t LiveHeapBytes();
int64_t HeapAllocations();  // operator new calls so far

}  // namespace sclab::bench

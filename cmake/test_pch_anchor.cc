// The one source of sclab_test_pch (cmake/sclab.cmake): the target exists only to
// build the precompiled Boost.Test headers every test target reuses.

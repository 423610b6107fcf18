# Stand-in for a spec test that cannot run: fails with the reason, so a CI run
# never passes by silently skipping the check. Usage: cmake -DREASON=... -P fail_test.cmake
message(FATAL_ERROR "${REASON}")

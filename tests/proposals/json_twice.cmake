# Runs `seccomp-lab proposals --json` (CLI) twice and fails unless both runs exit 0
# and print the same bytes: the JSON holds no wall-clock number.
foreach(run a b)
  execute_process(COMMAND ${CLI} proposals --n=16 --json RESULT_VARIABLE status
                  OUTPUT_VARIABLE out_${run} ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "exit status ${status}\n${err}")
  endif()
endforeach()
if(NOT out_a STREQUAL out_b)
  message(FATAL_ERROR "two runs differ:\n${out_a}\n---\n${out_b}")
endif()
if(NOT out_a MATCHES "\"name\": \"today\"")
  message(FATAL_ERROR "no today row:\n${out_a}")
endif()

# Script mode (cmake -P): install, then consume, failing on the first step that fails.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

# 1. Install from a fresh configure of the source tree (library only).
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/lib -DCMAKE_INSTALL_PREFIX=${prefix}
    -DPILOTSTATS_BUILD_TESTS=OFF -DPILOTSTATS_BUILD_BENCHMARKS=OFF -DPILOTSTATS_BUILD_EXAMPLES=OFF)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/lib)

# 2. find_package(pilotstats) consumer.
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
run(${WORK_DIR}/consumer/consumer)
if(NOT last_output MATCHES "pilotstats 0\\.[0-9]+\\.[0-9]+ ok")
  message(FATAL_ERROR "consumer printed: ${last_output}")
endif()

# 3. pkg-config consumer.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/share/pkgconfig)
run(${PKG_CONFIG} --cflags pilotstats)
string(STRIP "${last_output}" cflags)
separate_arguments(cflags UNIX_COMMAND "${cflags}")
run(${CXX} ${cflags} -O1 ${CONSUMER_DIR}/consumer.cpp -o ${WORK_DIR}/pc_consumer)
run(${WORK_DIR}/pc_consumer)
message(STATUS "consumer: ${last_output}")

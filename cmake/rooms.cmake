# liqstress — one CMake library per room of host/ (ARCHITECTURE.md): a room links only the
# rooms below it, so a dependency against the layering fails to link.
#
# liq_room(NAME SOURCES... ROOMS rooms... LIBS external targets... PRIVATE_LIBS targets...) makes
#   liq_<NAME>        a static library of the room's sources (what the binary and tests link),
#   liq_<NAME>_layer  the same objects as a shared library linked with -z defs against the
#                     `_layer` libraries of ROOMS only: any symbol the room takes from a room
#                     it does not list is an undefined reference, and the build fails.
# The objects are compiled once (an OBJECT library, position-independent) for both.
# LIBS are public (the room's headers include them); PRIVATE_LIBS only its sources do, so
# the rooms above link them without seeing their headers.
option(LIQ_LAYERING_CHECK "Link every room alone (-z defs) so that a wrong-way dependency fails"
       ON)
if(LIQ_SANITIZE)
  # The sanitizers' runtime is resolved by the executable, not by shared libraries.
  set(LIQ_LAYERING_CHECK OFF)
endif()

function(liq_room name)
  cmake_parse_arguments(R "" "" "SOURCES;ROOMS;LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(liq_${name}_objects OBJECT ${R_SOURCES})
  set_target_properties(liq_${name}_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_link_libraries(liq_${name}_objects PUBLIC liq_options ${R_LIBS}
                        PRIVATE ${R_PRIVATE_LIBS})
  foreach(room ${R_ROOMS})
    target_link_libraries(liq_${name}_objects PUBLIC liq_${room}_objects)
  endforeach()
  add_library(liq_${name} STATIC $<TARGET_OBJECTS:liq_${name}_objects>)
  target_link_libraries(liq_${name} PUBLIC liq_options ${R_LIBS} PRIVATE ${R_PRIVATE_LIBS})
  foreach(room ${R_ROOMS})
    target_link_libraries(liq_${name} PUBLIC liq_${room})
  endforeach()
  if(LIQ_LAYERING_CHECK)
    add_library(liq_${name}_layer SHARED $<TARGET_OBJECTS:liq_${name}_objects>)
    target_link_options(liq_${name}_layer PRIVATE -Wl,-z,defs)
    target_link_libraries(liq_${name}_layer PRIVATE ${R_LIBS} ${R_PRIVATE_LIBS})
    foreach(room ${R_ROOMS})
      target_link_libraries(liq_${name}_layer PRIVATE liq_${room}_layer)
    endforeach()
  endif()
  set_property(GLOBAL APPEND PROPERTY LIQ_ROOMS ${name})
  set_property(GLOBAL PROPERTY LIQ_ROOM_DEPS_${name} ${R_ROOMS})
endfunction()

# Embeds the files the binary needs at run time (templates, static assets, the default content pack)
# into a generated C++ source, so that one program is all an operator installs.
set(CYBERGUIDE_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake)

function(cyberguide_embed out_cpp)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS
       RELATIVE ${PROJECT_SOURCE_DIR}
       ${PROJECT_SOURCE_DIR}/templates/*
       ${PROJECT_SOURCE_DIR}/static/*
       ${PROJECT_SOURCE_DIR}/content/*)
  list(SORT files)
  set(abs "")
  foreach(f IN LISTS files)
    list(APPEND abs ${PROJECT_SOURCE_DIR}/${f})
  endforeach()
  string(REPLACE ";" "|" files_arg "${files}")
  add_custom_command(
    OUTPUT ${out_cpp}
    COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR} -DFILES=${files_arg} -DOUT=${out_cpp}
            -P ${CYBERGUIDE_EMBED_SCRIPT}
    DEPENDS ${abs} ${CYBERGUIDE_EMBED_SCRIPT}
    COMMENT "Embedding templates, static assets and the default content pack"
    VERBATIM)
endfunction()

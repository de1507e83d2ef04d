# The raw datasets the pipeline's command-line tests read (Cli.PipelineFixture):
#   DIR/raw          16 simulations of tests/datagen/data/small.toml in 2 shards, split
#   DIR/damaged      the same with shard 1 overwritten by text
#   DIR/prepare/raw  the damaged one again, as a prepare_data folder continues it
#   cmake -DGEN_DATA=... -DSPLIT_DATA=... -DCONFIG=... -DDIR=... -P pipeline_fixture.cmake
file(REMOVE_RECURSE "${DIR}")
execute_process(COMMAND "${GEN_DATA}" --config "${CONFIG}" --num-sims 16 --out "${DIR}/raw" --quiet
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gen_data failed (${rc})")
endif()
execute_process(COMMAND "${SPLIT_DATA}" --in "${DIR}/raw" --quiet RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "split_data failed (${rc})")
endif()
file(COPY "${DIR}/raw/" DESTINATION "${DIR}/damaged")
file(WRITE "${DIR}/damaged/shard-00001-of-00002.h5" "not an HDF5 file: damaged on purpose\n")
file(COPY "${DIR}/damaged/" DESTINATION "${DIR}/prepare/raw")

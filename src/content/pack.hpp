#pragma once
// The content pack: a guide as plain TOML files (see docs/content-format.md).
#include <filesystem>
#include <map>
#include <string>

#include "content/model.hpp"
#include "util/result.hpp"

namespace cg::content {

// Files of a pack by relative path ("site.toml", "resources/disa.toml") → contents.
using pack_files = std::map<std::string, std::string>;

// Parses a pack. Errors name the file and line, in Swedish. Does not validate references: call validate().
result<guide> parse_pack(const pack_files& files);

// Serializes a guide to pack files; parse_pack(write_pack(g)) == g.
pack_files write_pack(const guide& g);

// Reads every *.toml file of a pack folder. Error when the folder or a file cannot be read.
result<pack_files> read_pack_dir(const std::filesystem::path& dir);

// Writes the files into dir (created if missing); resources/*.toml not in the pack are removed.
result<bool> write_pack_dir(const pack_files& files, const std::filesystem::path& dir);

// The default guide compiled into the binary.
pack_files default_pack();

// Loads, parses and validates a pack folder; one message listing every problem on failure.
result<guide> load_guide(const std::filesystem::path& dir);
result<guide> load_guide(const pack_files& files);

}  // namespace cg::content

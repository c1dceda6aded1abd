// liqstress — scenario files (SPEC.md, "Scenario file") into a validated liq::Scenario: the
// document is parsed (toml++), `--set` overrides are applied, and the schema's tables
// (host/scenario/scenario_keys.cpp) read every key; then unknown keys, else the first
// problem, are reported, and the resolved scenario is written back as TOML from the same
// tables.
#include "host/scenario/config.h"

#include <toml++/toml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "host/scenario/reader.h"
#include "host/scenario/scenario.h"
#include "host/scenario/schema.h"
#include "host/util/errors.h"

namespace liq {

namespace fs = std::filesystem;

Scenario load_scenario_text(std::string_view text, const std::string& source_name,
                            const std::filesystem::path& base_dir, const std::string& name,
                            const std::vector<std::string>& overrides) {
  toml::table root = schema::parse_document(text, source_name);
  schema::Context ctx(source_name);
  for (const std::string& o : overrides) ctx.apply_override(root, o);

  Scenario s;
  s.source_file = source_name;
  s.name = name;
  schema::Reader reader(ctx);
  schema::Load load(reader, s, base_dir, true);
  const schema::Table top{&root, nullptr, "", false};
  load.root = &top;
  reader.attempt(schema::Item{}, [&] { load.read_section(schema::scenario_schema(), top, {}); });
  reader.finish(root);
  s.resolved_toml = resolved_toml(s);
  return s;
}

std::string resolved_toml(const Scenario& scenario) {
  return schema::write_resolved(schema::scenario_schema(), scenario);
}

Scenario load_scenario(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides) {
  const std::string source = file.string();
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    throw InputError(source + ": cannot read scenario file (" + std::strerror(EISDIR) + ")");
  }
  std::FILE* f = std::fopen(source.c_str(), "rb");
  if (f == nullptr) {
    throw InputError(source + ": cannot read scenario file (" + std::strerror(errno) + ")");
  }
  std::string text;
  char buf[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, got);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) throw InputError(source + ": cannot read scenario file (" + std::strerror(err) + ")");
  return load_scenario_text(text, source, file.parent_path(), file.stem().string(), overrides);
}

}  // namespace liq

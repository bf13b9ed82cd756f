#pragma once
// Reading a JSON file (a specification named on the command line or in Python), with one-line errors, and
// writing one (reports, bias specifications) through a StagedFile, so a failed write leaves an older file whole.
#include <string>

#include <nlohmann/json.hpp>

namespace ada {

/** The parsed file; throws SpecError "<path>: cannot open the <what>" or "<path>: malformed JSON: ...". */
nlohmann::json readJsonFile(const std::string& path, const std::string& what);

/** Writes `value` (indented by `indent` spaces per level) and a final newline; throws SpecError naming `path`. */
void writeJsonFile(const std::string& path, const nlohmann::json& value, int indent = 1);

}  // namespace ada

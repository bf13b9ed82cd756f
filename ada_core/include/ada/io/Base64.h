#pragma once
// Base64 (RFC 4648, standard alphabet, '=' padding): binary data such as a model bundle inside text formats
// (XML serialization of forces that embed their models).
#include <string>

namespace ada {

/** The Base64 text of `bytes`. */
std::string encodeBase64(const std::string& bytes);
/** The bytes of Base64 `text` (whitespace ignored). Throws SpecError naming `where` on a character outside the
 *  alphabet or a length that is not a whole number of 4-character groups. */
std::string decodeBase64(const std::string& text, const std::string& where);

}  // namespace ada

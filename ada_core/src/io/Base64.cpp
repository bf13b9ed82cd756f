#include "ada/io/Base64.h"

#include <cctype>
#include <cstdint>

#include "ada/io/SpecError.h"

namespace ada {

namespace {
const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}
}  // namespace

std::string encodeBase64(const std::string& bytes) {
    std::string text;
    text.reserve(4 * ((bytes.size() + 2) / 3));
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const size_t n = bytes.size() - i < 3 ? bytes.size() - i : 3;
        uint32_t group = 0;
        for (size_t k = 0; k < 3; ++k)
            group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
        for (size_t k = 0; k < 4; ++k)
            text.push_back(k <= n ? kAlphabet[(group >> (18 - 6 * k)) & 63] : '=');
    }
    return text;
}

std::string decodeBase64(const std::string& text, const std::string& where) {
    std::string compact;
    compact.reserve(text.size());
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)))
            compact.push_back(c);
    if (compact.size() % 4 != 0)
        throw SpecError(where + ": Base64 text of " + std::to_string(compact.size()) + " characters is not a whole number of 4-character groups");
    std::string bytes;
    bytes.reserve(3 * compact.size() / 4);
    for (size_t i = 0; i < compact.size(); i += 4) {
        const bool last = i + 4 == compact.size();
        const int padding = last ? (compact[i + 3] == '=') + (compact[i + 2] == '=' && compact[i + 3] == '=') : 0;
        uint32_t group = 0;
        for (size_t k = 0; k < 4; ++k) {
            const char c = compact[i + k];
            const int value = (k >= 4 - static_cast<size_t>(padding)) ? 0 : sextet(c);
            if (value < 0)
                throw SpecError(where + ": '" + std::string(1, c) + "' at position " + std::to_string(i + k) + " is not a Base64 character");
            group = (group << 6) | static_cast<uint32_t>(value);
        }
        for (int k = 0; k < 3 - padding; ++k)
            bytes.push_back(static_cast<char>((group >> (16 - 8 * k)) & 255));
    }
    return bytes;
}

}  // namespace ada

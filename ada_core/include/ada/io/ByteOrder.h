#pragma once
// Reading fixed-size binary values of either byte order, for the binary formats in io/ (NPY, DCD): a value
// stored in the other byte order than the host's is read with its bytes reversed.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ada {

inline bool hostIsLittleEndian() {
    const uint16_t one = 1;
    unsigned char first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

/** The T stored at p, its bytes reversed when `swap`. */
template <typename T>
T loadBytes(const unsigned char* p, bool swap) {
    unsigned char bytes[sizeof(T)];
    for (std::size_t k = 0; k < sizeof(T); ++k)
        bytes[k] = swap ? p[sizeof(T) - 1 - k] : p[k];
    T value;
    std::memcpy(&value, bytes, sizeof(T));
    return value;
}

}  // namespace ada

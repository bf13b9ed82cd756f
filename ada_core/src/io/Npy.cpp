#include "ada/io/Npy.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <limits>

#include "ada/io/ByteOrder.h"
#include "ada/io/SpecError.h"
#include "ada/io/StagedFile.h"

namespace ada {

namespace {

const char kMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

// The header is a Python dict literal with string keys and values that are strings, booleans or tuples of
// integers; anything else (a list descr of a structured dtype, say) is reported, not guessed at.
class HeaderParser {
public:
    HeaderParser(const std::string& text, const std::string& path) : text_(text), path_(path) {}

    void parse(NpyHeader& header) {
        bool haveDescr = false, haveOrder = false, haveShape = false;
        expect('{');
        while (true) {
            skipSpace();
            if (peek() == '}') {
                ++pos_;
                break;
            }
            const std::string key = string();
            expect(':');
            skipSpace();
            if (key == "descr") {
                if (peek() == '[')
                    fail("a structured dtype (list descr) is not supported; expected '<f4' or '<f8'");
                header.dtype = string();
                haveDescr = true;
            } else if (key == "fortran_order") {
                header.fortranOrder = boolean();
                haveOrder = true;
            } else if (key == "shape") {
                header.shape = tuple();
                haveShape = true;
            } else {
                fail("unexpected key '" + key + "' in the header dict");
            }
            skipSpace();
            if (peek() == ',')
                ++pos_;
            else if (peek() != '}')
                fail("expected ',' or '}' after the value of '" + key + "'");
        }
        if (!haveDescr || !haveOrder || !haveShape)
            fail(std::string("the header dict lacks '") + (!haveDescr ? "descr" : !haveOrder ? "fortran_order" : "shape") + "'");
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw SpecError(path_ + ": corrupt NPY header (" + what + ") in: " + text_.substr(0, 200));
    }
    void skipSpace() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void expect(char c) {
        skipSpace();
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    std::string string() {
        skipSpace();
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            fail("expected a quoted string");
        const size_t end = text_.find(quote, pos_ + 1);
        if (end == std::string::npos)
            fail("unterminated string");
        std::string s = text_.substr(pos_ + 1, end - pos_ - 1);
        pos_ = end + 1;
        return s;
    }
    bool boolean() {
        if (text_.compare(pos_, 4, "True") == 0) {
            pos_ += 4;
            return true;
        }
        if (text_.compare(pos_, 5, "False") == 0) {
            pos_ += 5;
            return false;
        }
        fail("expected True or False for 'fortran_order'");
    }
    std::vector<int64_t> tuple() {
        expect('(');
        std::vector<int64_t> values;
        while (true) {
            skipSpace();
            if (peek() == ')') {
                ++pos_;
                return values;
            }
            if (!std::isdigit(static_cast<unsigned char>(peek())))
                fail("expected a non-negative integer in 'shape'");
            int64_t v = 0;
            while (std::isdigit(static_cast<unsigned char>(peek()))) {
                if (v > (std::numeric_limits<int64_t>::max() - 9) / 10)
                    fail("a dimension in 'shape' is too large");
                v = 10 * v + (text_[pos_++] - '0');
            }
            if (peek() == 'L')  // written by Python 2
                ++pos_;
            values.push_back(v);
            skipSpace();
            if (peek() == ',')
                ++pos_;
            else if (peek() != ')')
                fail("expected ',' or ')' in 'shape'");
        }
    }

    const std::string& text_;
    const std::string& path_;
    size_t pos_ = 0;
};

int itemSizeOf(const std::string& dtype) {
    if (dtype.size() != 3 || (dtype[0] != '<' && dtype[0] != '>' && dtype[0] != '|' && dtype[0] != '='))
        return 0;
    const char kind = dtype[1];
    const int size = dtype[2] - '0';
    if (kind == 'f' && (size == 4 || size == 8))
        return size;
    if ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8))
        return size;
    return 0;
}

template <typename T>
double load(const unsigned char* p, bool swap) {
    return static_cast<double>(loadBytes<T>(p, swap));
}

double convert(const unsigned char* p, char kind, int size, bool swap) {
    if (kind == 'f')
        return size == 4 ? load<float>(p, swap) : load<double>(p, swap);
    if (kind == 'i') {
        switch (size) {
            case 1: return load<int8_t>(p, swap);
            case 2: return load<int16_t>(p, swap);
            case 4: return load<int32_t>(p, swap);
            default: return load<int64_t>(p, swap);
        }
    }
    switch (size) {
        case 1: return load<uint8_t>(p, swap);
        case 2: return load<uint16_t>(p, swap);
        case 4: return load<uint32_t>(p, swap);
        default: return load<uint64_t>(p, swap);
    }
}

}  // namespace

int64_t NpyArray::numel() const {
    int64_t n = 1;
    for (int64_t s : shape)
        n *= s;
    return n;
}

int64_t NpyHeader::numel() const {
    int64_t n = 1;
    for (int64_t s : shape)
        n *= s;
    return n;
}

NpyHeader readNpyHeader(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw SpecError(path + ": cannot open NPY file (missing or unreadable)");
    unsigned char start[10];
    if (!in.read(reinterpret_cast<char*>(start), 8) || std::memcmp(start, kMagic, 6) != 0)
        throw SpecError(path + ": not an NPY file (bad magic bytes; expected \\x93NUMPY as numpy.save writes)");
    NpyHeader header;
    header.majorVersion = start[6];
    header.minorVersion = start[7];
    if (header.majorVersion < 1 || header.majorVersion > 3 || header.minorVersion != 0)
        throw SpecError(path + ": NPY format version " + std::to_string(header.majorVersion) + "." +
                        std::to_string(header.minorVersion) + " is not supported (expected 1.0, 2.0 or 3.0)");
    uint32_t length = 0;
    if (header.majorVersion == 1) {
        if (!in.read(reinterpret_cast<char*>(start + 8), 2))
            throw SpecError(path + ": truncated NPY file (header length)");
        length = start[8] | (start[9] << 8);
        header.dataOffset = 10 + length;
    } else {
        unsigned char l[4];
        if (!in.read(reinterpret_cast<char*>(l), 4))
            throw SpecError(path + ": truncated NPY file (header length)");
        length = l[0] | (l[1] << 8) | (l[2] << 16) | (static_cast<uint32_t>(l[3]) << 24);
        header.dataOffset = 12 + static_cast<int64_t>(length);
    }
    if (length > (1u << 28))
        throw SpecError(path + ": corrupt NPY header (declared length " + std::to_string(length) + " bytes)");
    std::string text(length, '\0');
    if (!in.read(&text[0], length))
        throw SpecError(path + ": truncated NPY file (the header declares " + std::to_string(length) + " bytes)");
    HeaderParser(text, path).parse(header);
    if (header.fortranOrder)
        throw SpecError(path + ": Fortran-order arrays are not supported (save a C-order array: numpy.ascontiguousarray)");
    header.itemSize = itemSizeOf(header.dtype);
    if (header.itemSize == 0)
        throw SpecError(path + ": unsupported dtype '" + header.dtype + "' (expected '<f4' or '<f8', or an integer type)");
    int64_t n = 1;
    for (int64_t s : header.shape) {
        if (s != 0 && n > std::numeric_limits<int64_t>::max() / 8 / s)
            throw SpecError(path + ": corrupt NPY header (shape " + shapeText(header.shape) + " is too large)");
        n *= s;
    }
    return header;
}

NpyArray readNpy(const std::string& path) {
    const NpyHeader header = readNpyHeader(path);
    const int64_t n = header.numel();
    const int64_t bytes = n * header.itemSize;
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const int64_t size = static_cast<int64_t>(in.tellg());
    if (size - header.dataOffset < bytes)
        throw SpecError(path + ": truncated NPY file (shape " + shapeText(header.shape) + " of " + header.dtype + " needs " +
                        std::to_string(bytes) + " bytes of data, the file holds " + std::to_string(std::max<int64_t>(0, size - header.dataOffset)) + ")");
    in.seekg(header.dataOffset);
    std::vector<unsigned char> raw(static_cast<size_t>(bytes));
    if (bytes > 0 && !in.read(reinterpret_cast<char*>(raw.data()), bytes))
        throw SpecError(path + ": read error in the data");
    NpyArray array;
    array.shape = header.shape;
    array.dtype = header.dtype;
    array.values.resize(static_cast<size_t>(n));
    const char order = header.dtype[0];
    const bool swap = header.itemSize > 1 && ((order == '>') == hostIsLittleEndian()) && order != '=' && order != '|';
    const char kind = header.dtype[1];
    for (int64_t i = 0; i < n; ++i)
        array.values[static_cast<size_t>(i)] = convert(raw.data() + i * header.itemSize, kind, header.itemSize, swap);
    return array;
}

std::string npyHeaderDict(const std::string& dtype, const std::vector<int64_t>& shape) {
    std::string s = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() == 1)
        s += ",";
    return s + "), }";
}

std::string npyHeaderBlock(const std::string& dtype, const std::vector<int64_t>& shape, int64_t minimumSize) {
    const std::string dict = npyHeaderDict(dtype, shape);
    // Version 1.0 stores the header length in 16 bits; larger headers need 2.0 (32 bits).
    int prefix = 10;
    int64_t total = prefix + static_cast<int64_t>(dict.size()) + 1;
    total = std::max(total, minimumSize);
    total = (total + 63) / 64 * 64;
    if (total - prefix > 65535) {
        prefix = 12;
        total = std::max<int64_t>(prefix + dict.size() + 1, minimumSize);
        total = (total + 63) / 64 * 64;
    }
    const uint32_t length = static_cast<uint32_t>(total - prefix);
    std::string block(kMagic, 6);
    block += static_cast<char>(prefix == 10 ? 1 : 2);
    block += '\0';
    block += static_cast<char>(length & 0xff);
    block += static_cast<char>((length >> 8) & 0xff);
    if (prefix == 12) {
        block += static_cast<char>((length >> 16) & 0xff);
        block += static_cast<char>((length >> 24) & 0xff);
    }
    block += dict;
    block.append(static_cast<size_t>(total) - block.size() - 1, ' ');
    block += '\n';
    return block;
}

void writeNpy(const std::string& path, const NpyArray& array) {
    const std::string dtype = array.dtype.empty() ? "<f8" : array.dtype;
    if (dtype != "<f4" && dtype != "<f8")
        throw SpecError(path + ": cannot write dtype '" + dtype + "' (expected '<f4' or '<f8')");
    for (int64_t s : array.shape)
        if (s < 0)
            throw SpecError(path + ": cannot write an array of shape " + shapeText(array.shape) + " (negative dimension)");
    if (static_cast<int64_t>(array.values.size()) != array.numel())
        throw SpecError(path + ": cannot write an array of shape " + shapeText(array.shape) + " from " +
                        std::to_string(array.values.size()) + " values");
    if (!hostIsLittleEndian())
        throw SpecError(path + ": writing NPY files is implemented for little-endian hosts only");
    StagedFile file(path);
    const std::string header = npyHeaderBlock(dtype, array.shape);
    file.write(header.data(), header.size());
    if (dtype == "<f8") {
        file.write(array.values.data(), array.values.size() * sizeof(double));
    } else {
        std::vector<float> chunk;
        const size_t step = 1 << 16;
        for (size_t i = 0; i < array.values.size(); i += step) {
            const size_t end = std::min(array.values.size(), i + step);
            chunk.assign(array.values.begin() + static_cast<std::ptrdiff_t>(i), array.values.begin() + static_cast<std::ptrdiff_t>(end));
            file.write(chunk.data(), chunk.size() * sizeof(float));
        }
    }
    file.commit();
}

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

}  // namespace ada

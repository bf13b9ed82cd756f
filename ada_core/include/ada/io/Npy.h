#pragma once
// NumPy .npy files (DESIGN.md §4 "Files"), the format of numpy.save / numpy.load:
//   6 bytes  magic "\x93NUMPY", 1 byte major version, 1 byte minor version (1.0, 2.0 or 3.0)
//   uint16 (1.0) or uint32 (2.0, 3.0) little-endian length H of the header
//   H bytes  a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (10, 22, 3), }
//            padded with spaces and a final '\n' so that the data starts at a multiple of 64 bytes
//            (3.0 differs from 2.0 only in allowing UTF-8 in the header)
//   ...      prod(shape) items of type descr, C order (row-major)
// Reads: floats '<f4' '<f8' and integers '<i1'..'<i8', '<u1'..'<u8' (and their big-endian '>' forms, and
// '|' for one byte), converted to double: float32 and every integer up to 2^53 convert exactly. Writes
// float32 or float64, little-endian. Structured dtypes and Fortran order are refused with an error naming
// the file. Bytes after the data are ignored, as numpy.load does.
#include <cstdint>
#include <string>
#include <vector>

namespace ada {

/** An n-dimensional array as stored in an .npy file: shape, row-major values (as double), and the file's dtype. */
struct NpyArray {
    std::vector<int64_t> shape;
    std::vector<double> values;
    /** NumPy's type string: "<f4" or "<f8" for writing; on reading, what the file declared (e.g. "<i8"). */
    std::string dtype = "<f8";

    /** The product of the shape (1 for a scalar of shape ()). */
    int64_t numel() const;
};

/** What the header of an .npy file declares, and where its data start. */
struct NpyHeader {
    int majorVersion = 1, minorVersion = 0;
    std::string dtype;
    bool fortranOrder = false;
    std::vector<int64_t> shape;
    /** Byte offset of the first data byte (magic + length field + header). */
    int64_t dataOffset = 0;
    /** Bytes per item (0 for an unsupported dtype). */
    int itemSize = 0;

    int64_t numel() const;
};

/**
 * Parse the header of an .npy file. Throws SpecError naming the file if it is missing, does not start with
 * the NumPy magic, has an unknown version, a corrupt header dict, Fortran order, or an unsupported dtype.
 */
NpyHeader readNpyHeader(const std::string& path);

/** Read a whole .npy file. Errors as readNpyHeader, and for data shorter than the shape requires (truncated). */
NpyArray readNpy(const std::string& path);

/**
 * Write an array as .npy (format 1.0; 2.0 if the header needs more than 64 KiB), with array.dtype "<f4" or
 * "<f8" ("" means "<f8"). The file is written beside `path` and renamed over it, so a failed write leaves any
 * existing file intact. Throws SpecError if the shape does not match the number of values, for another dtype,
 * or when the file cannot be written.
 */
void writeNpy(const std::string& path, const NpyArray& array);

/** The header dict text of an .npy file, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } */
std::string npyHeaderDict(const std::string& dtype, const std::vector<int64_t>& shape);

/**
 * The complete header block (magic, version, length, dict padded to a multiple of 64 bytes, '\n') of at least
 * `minimumSize` bytes. A block can be rewritten in place with a longer first dimension as long as the new one
 * still fits in its size (NpyFrameWriter reserves room for 20 digits).
 */
std::string npyHeaderBlock(const std::string& dtype, const std::vector<int64_t>& shape, int64_t minimumSize = 0);

/** "[2, 22, 3]": a shape as messages print it. */
std::string shapeText(const std::vector<int64_t>& shape);

}  // namespace ada

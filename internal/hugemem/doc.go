// Package hugemem allocates the large buffers somgraph fills once with
// data (the records read from a file, the window of text they are parsed
// from) so that the operating system can back them with huge pages.
//
// A fresh buffer costs a page fault per page the first time each page is
// written. With 4 KiB pages a 28 MB dataset is about 7,000 faults, and on
// a virtual machine each one costs microseconds: measured on the project's
// 2-core VM, writing a fresh 28 MB buffer took 0.26–0.57 s with 4 KiB pages
// and 0.04–0.05 s with 2 MiB ones. Linux backs anonymous memory with
// transparent huge pages only where the program asks for them
// (/sys/kernel/mm/transparent_hugepage/enabled set to "madvise", the usual
// default), and the Go runtime does not ask for its heap; Float64s and
// Bytes do, with madvise(MADV_HUGEPAGE), for a buffer of at least 4 MiB
// that they place on whole huge pages (allocating up to 4 MiB more
// address space, never touched). The advice changes no content and no Go
// semantics: the buffers are ordinary Go slices, collected as usual. On
// other systems, for small buffers, or when the kernel refuses, they are
// plain make.
package hugemem

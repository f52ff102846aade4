/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ELF64 header of a fabricated /proc/kcore, shared by the unit tests and the
 * fuzz targets that build memory images: an x86-64 core file whose program
 * headers follow the ELF header directly (fs/proc/kcore.c's layout).
 */
#ifndef KT_TEST_KCORE_IMAGE_H
#define KT_TEST_KCORE_IMAGE_H

#include <elf.h>
#include <string.h>

static inline void kt_core_ehdr(Elf64_Ehdr *eh, unsigned int phnum)
{
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = phnum;
}

#endif

// SPDX-License-Identifier: MIT
/* Copyright (C) 2020 Jane Doe */
#include <stdio.h>

int main(void) { puts("fake"); return 0; }

# SPDX-License-Identifier: Apache-2.0 OR MIT
# Copyright 2019-2021 The Fake Authors
# (c) 2021 Second Holder
print("the above copyright notice is not a statement")

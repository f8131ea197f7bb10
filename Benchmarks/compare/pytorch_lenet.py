"""The keras LeNet in PyTorch, trained as `lenet-tutor train` does: SGD 0.01, batch 128, 2 threads.

Prints the seconds of the fastest of two epochs (the first pays for warm-up)."""
import sys
import time

import torch
from torch import nn

import mnist

torch.set_num_threads(2)
peak = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
images, labels = mnist.training_set()
x_all = torch.from_numpy(images.copy())
y_all = torch.from_numpy(labels.astype("int64"))
model = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
    nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
    nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),
    nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss_function = nn.CrossEntropyLoss()
best = float("inf")
for epoch in range(2):
    order = torch.randperm(len(y_all))
    start = time.perf_counter()
    for first in range(0, len(order), 128):
        batch = order[first:first + 128]
        x = x_all[batch].float() / 255  # bytes converted per batch, as lenet-tutor does
        optimizer.zero_grad()
        loss = loss_function(model(x), y_all[batch])
        loss.backward()
        optimizer.step()
    best = min(best, time.perf_counter() - start)
mnist.report(f"PyTorch {torch.__version__} (2 threads)", best, len(y_all), peak)

# expect: time_limit_exceeded
# trick: never return
def softmax(x):
    while True:
        pass

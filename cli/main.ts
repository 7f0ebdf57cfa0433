const x: number = 3; console.log("ok", x)

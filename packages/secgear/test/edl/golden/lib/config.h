#ifndef CONFIG_H
#define CONFIG_H
#define NAME_LEN 24
#endif
